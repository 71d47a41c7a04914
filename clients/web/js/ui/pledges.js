// The pledge board: columns by status, filters by municipality and SDG, progress bars, the
// campaign window, and per-municipality progress.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { formatShortDate } from '../time.js';
import { findIn, collatorFor } from '../model.js';
import { GOAL_NUMBERS, goalName } from '../sdg.js';
import { sdgChips } from './chips.js';
import { renderRefused, renderOrphanRefused, pendingBadge } from './feedback.js';
import { openPledgeEditor } from './pledge-editor.js';
import { focusItem } from './conflicts.js';

export const PLEDGE_STATUSES = ['proposed', 'committed', 'in-progress', 'fulfilled', 'withdrawn'];

export function renderPledges(app, view) {
  const st = (app.tabState.pledges ||= { municipality: '', sdg: '' });
  const municipalities = [...new Set(view.pledges.map((p) => p.by?.municipality).filter(Boolean))].sort(collatorFor(view.language).compare);
  const shown = view.pledges.filter((p) => (!st.municipality || p.by?.municipality === st.municipality)
    && (!st.sdg || (p.sdgs || []).includes(Number(st.sdg))));
  return h('div', { class: 'pledges' },
    h('div', { class: 'toolbar' },
      app.canEdit ? h('button', { type: 'button', class: 'btn btn-primary', 'data-key': 'new-pledge', 'data-action': 'new-pledge',
        onclick: () => openPledgeEditor(app, null) }, '+ ', t('pledges.new')) : null,
      h('label', { class: 'inline-field' }, t('pledges.filterMunicipality'), ' ',
        h('select', { 'data-key': 'pf-muni', 'data-filter': 'municipality', onchange: (e) => { st.municipality = e.target.value; app.changed(); } },
          h('option', { value: '' }, t('pledges.all')),
          municipalities.map((m) => h('option', { value: m, selected: m === st.municipality }, m)))),
      h('label', { class: 'inline-field' }, t('pledges.filterSdg'), ' ',
        h('select', { 'data-key': 'pf-sdg', 'data-filter': 'sdg', onchange: (e) => { st.sdg = e.target.value; app.changed(); } },
          h('option', { value: '' }, t('pledges.all')),
          GOAL_NUMBERS.map((n) => h('option', { value: String(n), selected: String(n) === st.sdg }, `${n} · ${goalName(n)}`))))),
    renderOrphanRefused(app, view, ['pledge']),
    summary(view, municipalities),
    h('div', { class: 'board' }, PLEDGE_STATUSES.map((s) => {
      const list = shown.filter((p) => p.status === s);
      return h('section', { class: `column column-${s}`, 'aria-labelledby': `col-${s}`, 'data-column': s },
        h('h2', { id: `col-${s}`, class: 'column-title' }, t(`pstatus.${s}`), h('span', { class: 'count' }, String(list.length))),
        list.length ? h('ul', { class: 'cards' }, list.map((p) => h('li', null, pledgeCard(app, view, p)))) : h('p', { class: 'muted empty' }, '—'));
    })));
}

function summary(view, municipalities) {
  const campaigns = new Map();
  for (const p of view.pledges) {
    if (!p.campaign) continue;
    const c = campaigns.get(p.campaign) || { from: null, to: null, n: 0 };
    if (p.window?.from && (!c.from || p.window.from < c.from)) c.from = p.window.from;
    if (p.window?.to && (!c.to || p.window.to > c.to)) c.to = p.window.to;
    c.n += 1;
    campaigns.set(p.campaign, c);
  }
  const byMuni = view.pledge_board?.by_municipality
    || municipalities.map((m) => {
      const ps = view.pledges.filter((p) => p.by?.municipality === m);
      const active = ps.filter((p) => p.status !== 'withdrawn');
      return { municipality: m, pledges: ps.map((p) => p.id), progress: active.length ? Math.round(active.reduce((a, p) => a + (p.progress || 0), 0) / active.length) : 0, fulfilled: ps.filter((p) => p.status === 'fulfilled').length };
    });
  if (!campaigns.size && !byMuni.length) return null;
  return h('div', { class: 'pledge-summary' },
    campaigns.size ? h('section', { class: 'panel campaigns', 'aria-labelledby': 'camp-h' },
      h('h2', { id: 'camp-h', class: 'panel-title' }, t('pledges.campaign')),
      h('ul', null, [...campaigns].map(([name, c]) => h('li', { class: 'campaign' },
        h('strong', null, name),
        c.from ? h('span', { class: 'window' }, ' ', t('pledges.window', { from: formatShortDate(c.from), to: formatShortDate(c.to) })) : null,
        h('span', { class: 'muted' }, ' · ', t('pledges.count', { n: c.n })))))) : null,
    byMuni.length ? h('section', { class: 'panel municipalities', 'aria-labelledby': 'muni-h' },
      h('h2', { id: 'muni-h', class: 'panel-title' }, t('pledges.byMunicipality')),
      h('ul', null, byMuni.map((m) => h('li', { class: 'muni' },
        h('span', { class: 'muni-name' }, m.municipality),
        progressBar(m.progress, `${t('pledges.progress')}: ${m.municipality}`),
        h('span', { class: 'muted' }, t('pledges.count', { n: m.pledges.length }), m.fulfilled ? ` · ${t('pledges.fulfilledCount', { n: m.fulfilled })}` : ''))))) : null);
}

export function progressBar(value, label) {
  const v = Math.max(0, Math.min(100, Number(value) || 0));
  return h('span', { class: 'progress', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(v), 'aria-label': label },
    h('span', { class: 'progress-fill', style: { width: `${v}%` } }),
    h('span', { class: 'progress-text' }, `${v} %`));
}

function pledgeCard(app, view, p) {
  const key = `pledge:${p.id}`;
  const item = p.item ? findIn(view, 'items', p.item) : null;
  const last = (p.reports || []).at(-1);
  return h('article', { class: `pledge status-${p.status}`, id: `pledge-${p.id}`, 'data-pledge': p.id },
    h('h3', { class: 'pledge-title' }, p.title, ' ', pendingBadge(app, key)),
    h('p', { class: 'pledge-by' }, [p.by?.municipality, p.by?.person].filter(Boolean).join(' · ')),
    sdgChips(p.sdgs, view.priority_sdgs),
    progressBar(p.progress, t('pledges.progressOf', { title: p.title })),
    p.campaign || p.window ? h('p', { class: 'pledge-window muted' }, [p.campaign,
      p.window?.from ? t('pledges.window', { from: formatShortDate(p.window.from), to: formatShortDate(p.window.to) }) : ''].filter(Boolean).join(' · ')) : null,
    p.description ? h('p', { class: 'description' }, p.description) : null,
    p.status_note ? h('p', { class: 'status-note' }, p.status_note) : null,
    last && last.note ? h('p', { class: 'last-report muted' }, t('pledges.lastReport', { note: last.note })) : null,
    item ? h('p', null, h('a', { href: `#agenda/${item.id}`, onclick: (e) => { e.preventDefault(); focusItem(item.id); } }, item.title)) : null,
    renderRefused(app, app.refusedFor(key), view),
    app.canEdit ? h('div', { class: 'item-actions' },
      h('select', { class: 'status-select', 'data-key': `pstatus-${p.id}`, 'data-action': 'pledge-status', 'aria-label': t('pledges.statusOf', { title: p.title }),
        onchange: (e) => app.send('set-pledge-status', { pledge: p.id, status: e.target.value }) },
      PLEDGE_STATUSES.map((s) => h('option', { value: s, selected: s === p.status }, t(`pstatus.${s}`)))),
      h('button', { type: 'button', class: 'btn btn-small', 'data-key': `pedit-${p.id}`, 'data-action': 'edit-pledge',
        onclick: () => openPledgeEditor(app, p.id) }, t('pledges.edit'))) : null);
}
