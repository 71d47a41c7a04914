// The clashes the engine finds in the plan (view.conflicts): same room, same speaker, same
// track at once, or outside the plan's dates. Each links to its items.
import { h } from '../dom.js';
import { t, tOr, lang } from '../i18n.js';
import { findIn } from '../model.js';

export function renderConflictsPanel(app, view) {
  const list = view.conflicts || [];
  return h('section', { class: `panel conflicts-panel${list.length ? ' has-conflicts' : ''}`, 'aria-labelledby': 'conflicts-h' },
    h('h2', { id: 'conflicts-h', class: 'panel-title' }, t('conflicts.title'),
      list.length ? h('span', { class: 'count' }, String(list.length)) : null),
    list.length
      ? h('ul', { class: 'conflict-list' }, list.map((c, i) => h('li', { class: `conflict kind-${c.kind}`, 'data-conflict': String(i) },
        h('span', { class: 'badge badge-warn' }, tKind(c.kind)),
        h('p', null, message(c)),
        h('p', { class: 'conflict-links' }, (c.items || []).map((id) => {
          const it = findIn(view, 'items', id);
          return h('a', {
            href: `#agenda/${id}`, class: 'item-link',
            onclick: (e) => { e.preventDefault(); focusItem(id); },
          }, it ? it.title : id);
        })))))
      : h('p', { class: 'muted' }, t('conflicts.none')));
}

function tKind(kind) { return tOr(`conflicts.kind.${kind}`, kind); }

function message(c) {
  const m = c.message;
  if (!m) return '';
  if (typeof m === 'string') return m;
  return m[lang()] || m.en || m.lv || '';
}

/** Scrolls to an item card, focuses it and flashes it. */
export function focusItem(id) {
  if (!location.hash.startsWith('#agenda')) location.hash = '#agenda';
  requestAnimationFrame(() => requestAnimationFrame(() => {
    const el = document.getElementById(`item-${id}`);
    if (!el) return;
    el.scrollIntoView({ behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth', block: 'center' });
    el.focus({ preventScroll: true });
    el.classList.remove('flash');
    void el.offsetWidth;
    el.classList.add('flash');
  }));
}
