// A modal <dialog> sheet with a heading, a form body and a footer; Esc and Cancel close it.
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
    onsubmit: (e) => {
      e.preventDefault();
      error.textContent = '';
      const problem = onSubmit();
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
    h('button', { type: 'button', class: 'btn', onclick: close }, t('editor.cancel')),
    h('button', { type: 'submit', class: 'btn btn-primary', 'data-action': 'save' }, submitLabel)));
  const dialog = h('dialog', { class: `sheet ${className}`, 'aria-labelledby': headId }, form);
  const opener = document.activeElement;
  const openerKey = opener && opener.getAttribute ? opener.getAttribute('data-key') : null;
  dialog.addEventListener('cancel', (e) => { e.preventDefault(); close(); });
  document.body.appendChild(dialog);
  dialog.showModal();
  return { dialog, form, body, notice, error, close };
}
