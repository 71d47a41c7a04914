// SDG coverage: the 17 goals as tiles in their official colours, with how many items and
// pledges address each; the plan's priority goals marked. A tile opens its list.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { findIn } from '../model.js';
import { GOAL_NUMBERS, goalColour, goalName, goalTextColour } from '../sdg.js';
import { focusItem } from './conflicts.js';

export function renderCoverage(app, view) {
  const st = (app.tabState.sdg ||= { goal: 0 });
  const cov = new Map((view.sdg_coverage || []).map((c) => [c.goal, c]));
  const entry = (n) => cov.get(n) || {
    goal: n, priority: (view.priority_sdgs || []).includes(n),
    items: view.items.filter((i) => i.status !== 'cancelled' && (i.sdgs || []).includes(n)).map((i) => i.id),
    pledges: view.pledges.filter((p) => (p.sdgs || []).includes(n)).map((p) => p.id),
  };
  return h('div', { class: 'coverage' },
    h('h2', { class: 'section-title' }, t('sdg.title')),
    h('p', { class: 'muted' }, t('sdg.lead')),
    h('ul', { class: 'tiles' }, GOAL_NUMBERS.map((n) => {
      const c = entry(n);
      const empty = !c.items.length && !c.pledges.length;
      return h('li', null, h('button', {
        type: 'button', class: `tile${c.priority ? ' is-priority' : ''}${empty ? ' is-empty' : ''}`,
        'data-goal': String(n), 'data-key': `tile-${n}`, 'aria-pressed': String(st.goal === n),
        style: { background: goalColour(n), color: goalTextColour(n) },
        onclick: () => { st.goal = st.goal === n ? 0 : n; app.changed(); },
      },
      h('span', { class: 'tile-num' }, String(n)),
      h('span', { class: 'tile-name' }, goalName(n)),
      h('span', { class: 'tile-counts' },
        h('span', { 'data-count': 'items' }, t('sdg.items', { n: c.items.length })),
        h('span', { 'data-count': 'pledges' }, t('sdg.pledges', { n: c.pledges.length }))),
      c.priority ? h('span', { class: 'tile-priority' }, '★ ', t('sdg.priority')) : null));
    })),
    st.goal ? details(view, entry(st.goal)) : null);
}

function details(view, c) {
  const items = c.items.map((id) => findIn(view, 'items', id)).filter(Boolean);
  const pledges = c.pledges.map((id) => findIn(view, 'pledges', id)).filter(Boolean);
  return h('section', { class: 'panel goal-details', 'aria-live': 'polite', style: { borderColor: goalColour(c.goal) } },
    h('h3', null, t('sdg.details', { n: c.goal, name: goalName(c.goal) })),
    !items.length && !pledges.length ? h('p', { class: 'muted' }, t('sdg.nothing')) : null,
    items.length ? h('div', null, h('h4', null, t('nav.agenda')), h('ul', null, items.map((it) => h('li', null,
      h('a', { href: `#agenda/${it.id}`, onclick: (e) => { e.preventDefault(); focusItem(it.id); } }, it.title))))) : null,
    pledges.length ? h('div', null, h('h4', null, t('nav.pledges')), h('ul', null, pledges.map((p) => h('li', null,
      p.title, h('span', { class: 'muted' }, ` — ${p.by?.municipality || ''}`))))) : null);
}
