// Short notices in a polite live region; they fade by themselves.
import { h } from '../dom.js';

export function toast(text, kind = 'info') {
  const box = document.getElementById('toasts');
  if (!box) return;
  const last = box.lastElementChild;
  if (last && last.textContent === text && !last.classList.contains('toast-out')) return;   // one save, several commands
  const el = h('div', { class: `toast toast-${kind}` }, text);
  box.appendChild(el);
  while (box.children.length > 4) box.firstChild.remove();
  setTimeout(() => el.classList.add('toast-out'), kind === 'info' ? 3500 : 7000);
  setTimeout(() => el.remove(), kind === 'info' ? 4000 : 7500);
}
