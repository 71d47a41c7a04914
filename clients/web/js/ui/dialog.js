// A modal <dialog> sheet with a heading, a form body and a footer; Esc and Cancel close it,
// Tab and Shift+Tab go round inside it, and focus goes back to what opened it.
// Lives outside the app's re-rendered root, so live updates never wipe what the user is typing.
import { h, uid } from '../dom.js';
import { t } from '../i18n.js';

/**
 * @returns {{dialog: HTMLDialogElement, form: HTMLFormElement, body: HTMLElement, notice: HTMLElement, close: () => void}}
 */
export function openSheet({ title, onSubmit, onClose, footerStart = [], submitLabel = t('editor.save'), className = '' }) {
  const headId = uid('sheet');
  const notice = h('div', { class: 'sheet-notice', role: 'status', 'aria-live': 'polite' });
  const body = h('div', { class: 'sheet-body' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  let closed = false;
  let busy = false;
  // submitLabel null: a sheet with nothing to submit as a whole (lists with their own buttons).
  const submit = submitLabel ? h('button', { type: 'submit', class: 'btn btn-primary', 'data-action': 'save' }, submitLabel) : null;
  const close = () => {
    if (closed) return;
    closed = true;
    if (dialog.open) dialog.close();
    dialog.remove();
    if (onClose) onClose();
    // Back to the button that opened it, or to its re-rendered twin (same data-key).
    const back = opener && document.contains(opener) ? opener
      : openerKey ? document.querySelector(`[data-key="${CSS.escape(openerKey)}"]`) : null;
    if (back) back.focus();
  };
  const form = h('form', {
    class: 'sheet-form', method: 'dialog', novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      if (busy || !submit) return;
      error.textContent = '';
      // onSubmit returns a problem to show, or null to close; or a promise of either (a command
      // the dialog waits for, so that a refusal is explained where the user is looking).
      let problem = onSubmit();
      if (problem && typeof problem.then === 'function') {
        busy = true;
        submit.disabled = true;
        submit.setAttribute('aria-busy', 'true');
        try { problem = await problem; } finally {
          busy = false;
          submit.disabled = false;
          submit.removeAttribute('aria-busy');
        }
      }
      if (problem) { error.textContent = problem; return; }
      close();
    },
  },
  h('header', { class: 'sheet-head' },
    h('h2', { id: headId }, title),
    h('button', { type: 'button', class: 'icon-btn', 'aria-label': t('editor.close'), onclick: close }, '×')),
  notice, body, error,
  h('footer', { class: 'sheet-foot' },
    footerStart,
    h('span', { class: 'spacer' }),
    h('button', { type: 'button', class: 'btn', 'data-action': 'cancel', onclick: close }, submit ? t('editor.cancel') : t('editor.close')),
    submit));
  const dialog = h('dialog', { class: `sheet ${className}`, 'aria-labelledby': headId }, form);
  const opener = document.activeElement;
  const openerKey = opener && opener.getAttribute ? opener.getAttribute('data-key') : null;
  dialog.addEventListener('cancel', (e) => { e.preventDefault(); close(); });
  dialog.addEventListener('keydown', (e) => keepFocusInside(dialog, e));
  document.body.appendChild(dialog);
  dialog.showModal();
  return { dialog, form, body, notice, error, close };
}

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

/** Tab from the last control goes to the first, Shift+Tab from the first to the last. */
function keepFocusInside(dialog, e) {
  if (e.key !== 'Tab') return;
  const all = [...dialog.querySelectorAll(FOCUSABLE)].filter((el) => el.offsetParent !== null || el === document.activeElement);
  if (!all.length) return;
  const first = all[0], last = all.at(-1);
  if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
  else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
}
