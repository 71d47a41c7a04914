// History and replay: the audit trail (one sentence per event), releases and the changelog since
// the last one, and the replay bar that shows the whole dashboard as it was at any revision.
import { h } from '../dom.js';
import { t, lang } from '../i18n.js';
import { formatInstant } from '../time.js';
import { fieldName, formatValue } from './describe.js';
import { openRevertDialog, NOT_REVERTIBLE } from './revert-dialog.js';
import { openDecisionEditor } from './decision-editor.js';
import { refusalText } from './refusal.js';

const PAGE = 100;

/**
 * The replay bar is one persistent element per app, updated in place, so dragging its slider
 * is never interrupted by a re-render.
 */
export function renderReplayBar(app) {
  const bar = app.replayBar ||= createReplayBar(app);
  bar.update();
  return bar.el;
}

function createReplayBar(app) {
  const slider = h('input', { type: 'range', min: '1', step: '1', class: 'replay-slider', id: 'replay-slider', 'data-key': 'replay-slider' });
  const label = h('p', { class: 'replay-label', id: 'replay-label', 'aria-live': 'polite' });
  const heading = h('h2', { class: 'replay-title' });
  const banner = h('p', { class: 'replay-banner' });
  const lead = h('p', { class: 'replay-lead muted' });
  const prev = h('button', { type: 'button', class: 'icon-btn', 'data-action': 'replay-prev' }, '‹');
  const next = h('button', { type: 'button', class: 'icon-btn', 'data-action': 'replay-next' }, '›');
  const live = h('button', { type: 'button', class: 'btn btn-primary', 'data-action': 'replay-live' });
  let timer = null;
  const go = (rev) => {
    clearTimeout(timer);
    label.textContent = describeRev(app, rev);
    timer = setTimeout(() => app.showRevision(rev), 120);
  };
  slider.addEventListener('input', () => go(Number(slider.value)));
  prev.addEventListener('click', () => go(Math.max(1, current() - 1)));
  next.addEventListener('click', () => go(current() + 1));
  live.addEventListener('click', () => { clearTimeout(timer); app.backToLive(); });
  const current = () => (app.replay ? app.replay.rev : app.model.revision);
  const el = h('section', { class: 'replay-bar no-print', 'aria-labelledby': 'replay-title' },
    heading, lead, banner,
    h('div', { class: 'replay-controls' }, prev, h('label', { for: 'replay-slider', class: 'visually-hidden' }), slider, next, live),
    label);
  heading.id = 'replay-title';
  return {
    el,
    update() {
      const liveRev = app.model.revision || 1;
      const rev = current() || 1;
      heading.textContent = t('history.replay');
      lead.textContent = t('history.replayLead');
      lead.hidden = !!app.replay;
      slider.previousElementSibling.textContent = t('history.revision');
      prev.setAttribute('aria-label', t('history.prev'));
      next.setAttribute('aria-label', t('history.next'));
      live.textContent = t('history.live');
      slider.max = String(liveRev);
      if (document.activeElement !== slider || !app.replay) slider.value = String(rev);
      slider.setAttribute('aria-valuetext', `${t('history.revision')} ${rev}`);
      prev.disabled = rev <= 1;
      next.disabled = !app.replay;
      live.hidden = !app.replay;
      el.classList.toggle('is-replaying', !!app.replay);
      banner.hidden = !app.replay;
      if (app.replay) {
        const at = app.replay.view?.updated_at || entryFor(app, rev)?.at;
        banner.textContent = t('history.viewing', { rev, at: formatInstant(at) });
      }
      label.textContent = app.replay || app.route === 'history' ? describeRev(app, rev) : '';
    },
  };
}

function entryFor(app, rev) { return (app.tabState.history?.entries || []).find((e) => e.revision === rev); }

function describeRev(app, rev) {
  const e = entryFor(app, rev);
  const head = `${t('history.revision')} ${rev} / ${app.model.revision}`;
  return e ? `${head} · ${formatInstant(e.at)} · ${e.actor}: ${e.text}` : head;
}

// --- the History tab ---------------------------------------------------------------------------

export function renderHistory(app, view) {
  const st = ensureLoaded(app);
  const live = app.model.view;
  return h('div', { class: 'history' },
    h('div', { class: 'history-cols' },
      h('section', { class: 'panel trail', 'aria-labelledby': 'trail-h' },
        h('h2', { id: 'trail-h', class: 'panel-title' }, t('history.trail')),
        st.error ? h('p', { class: 'form-error' }, t('error.load', { msg: st.error })) : null,
        !st.entries.length && st.loading ? h('p', { class: 'muted' }, t('loading')) : null,
        h('ol', { class: 'trail-list', reversed: true }, [...st.entries].reverse().map((e) => h('li', {
          class: `trail-entry${app.replay?.rev === e.revision ? ' is-current' : ''}`, 'data-revision': String(e.revision),
        },
        h('p', { class: 'trail-meta' },
          h('span', { class: 'rev' }, `#${e.revision}`), ' ',
          h('time', { datetime: e.at }, formatInstant(e.at)), ' · ', h('span', { class: 'actor' }, e.actor)),
        h('p', { class: 'trail-text' }, e.text),
        e.reason ? h('p', { class: 'reason' }, t('history.reason', { reason: e.reason })) : null,
        h('div', { class: 'trail-actions' },
          h('button', { type: 'button', class: 'link-btn', 'data-action': 'show-revision', onclick: () => app.showRevision(e.revision) }, t('history.show')),
          app.canEdit && !NOT_REVERTIBLE.has(e.type) ? h('button', {
            type: 'button', class: 'link-btn', 'data-action': 'revert', 'data-key': `revert-${e.revision}`,
            'aria-label': t('revert.buttonOf', { rev: e.revision }), onclick: () => openRevertDialog(app, e),
          }, t('revert.button')) : null)))),
        st.oldest > 0 ? h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => { st.oldest = Math.max(0, st.oldest - PAGE); st.loadedRev = -1; app.changed(); } }, t('history.more')) : null),
      h('div', { class: 'history-side' },
        releasesPanel(app, live),
        decisionsPanel(app, view),
        changelogPanel(app, st, live))));
}

function ensureLoaded(app) {
  const st = app.tabState.history ||= { entries: [], lang: null, loadedRev: -1, oldest: null, loading: false, error: null, changelog: null, changelogRev: -1 };
  const rev = app.model.revision;
  if (st.oldest === null) st.oldest = Math.max(0, rev - PAGE);
  if (!st.loading && (st.loadedRev !== rev || st.lang !== lang())) {
    st.loading = true;
    const wantLang = lang();
    Promise.all([
      app.api.history(app.planId, wantLang, st.oldest, Math.max(1, rev - st.oldest)),
      app.api.changelog(app.planId).catch((e) => ({ error: e.message })),
    ]).then(([hist, changelog]) => {
      st.entries = hist.entries || [];
      st.lang = wantLang;
      st.loadedRev = rev;
      st.changelog = changelog;
      st.error = null;
      st.failures = 0;
    }).catch((e) => {
      // Shown at once, and asked again after a pause (1 s, doubling to 30 s): a busy server
      // answers 503 for a moment, and the tab must not stay empty until the plan changes.
      st.error = e.message;
      st.loadedRev = rev;
      st.lang = wantLang;
      st.failures = (st.failures || 0) + 1;
      setTimeout(() => { st.loadedRev = -1; app.changed(); }, Math.min(30000, 1000 * 2 ** (st.failures - 1)));
    })
      .finally(() => { st.loading = false; app.changed(); });
  }
  return st;
}

function releasesPanel(app, view) {
  const releases = view.releases || [];
  // What is typed lives in the tab's state: a live update re-renders the form meanwhile.
  const st = app.tabState.history;
  const name = h('input', { type: 'text', maxlength: '64', 'data-field': 'release-name', 'data-key': 'release-name',
    value: st.releaseName || '', oninput: (e) => { st.releaseName = e.target.value; } });
  const note = h('input', { type: 'text', maxlength: '1000', 'data-field': 'release-note', 'data-key': 'release-note',
    value: st.releaseNote || '', oninput: (e) => { st.releaseNote = e.target.value; } });
  return h('section', { class: 'panel releases', 'aria-labelledby': 'rel-h' },
    h('h2', { id: 'rel-h', class: 'panel-title' }, t('history.releases')),
    releases.length ? h('ul', { class: 'release-list' }, [...releases].reverse().map((r) => h('li', null,
      h('button', { type: 'button', class: 'link-btn', onclick: () => app.showRevision(r.revision) },
        t('history.atRelease', { name: r.name, rev: r.revision })),
      h('span', { class: 'muted' }, ` · ${formatInstant(r.at)} · ${r.actor}`),
      r.note ? h('p', { class: 'reason' }, r.note) : null)))
      : h('p', { class: 'muted' }, t('history.noReleases')),
    app.canEdit ? h('form', { class: 'publish', onsubmit: async (e) => {
      e.preventDefault();
      const problem = e.currentTarget.querySelector('.form-error');
      if (!name.value.trim()) { name.focus(); problem.textContent = t('editor.required', { field: t('history.releaseName') }); return; }
      const data = { name: name.value.trim(), ...(note.value.trim() ? { note: note.value.trim() } : {}) };
      // The form is re-rendered by live updates: what was typed is cleared only once it landed.
      st.releaseProblem = '';
      const error = await app.sendAndWait('publish-release', data);
      st.releaseProblem = error ? refusalText(error, { type: 'publish-release', data, view: app.model.view }) : '';
      if (!error) st.releaseName = st.releaseNote = '';
      app.changed();
    } },
    h('h3', null, t('history.publish')),
    h('div', { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'rel-name' }, t('history.releaseName')), Object.assign(name, { id: 'rel-name' })),
      h('div', { class: 'field' }, h('label', { for: 'rel-note' }, t('history.releaseNote')), Object.assign(note, { id: 'rel-note' }))),
    h('p', { class: 'form-error', role: 'alert' }, st.releaseProblem || ''),
    h('button', { type: 'submit', class: 'btn', 'data-action': 'publish' }, t('history.publish'))) : null);
}

function decisionsPanel(app, view) {
  const list = view.decisions || [];
  if (!list.length && !app.canEdit) return null;
  const titleOf = (coll, id) => (view[coll] || []).find((x) => x.id === id)?.title || id;
  return h('section', { class: 'panel decisions', 'aria-labelledby': 'dec-h' },
    h('h2', { id: 'dec-h', class: 'panel-title' }, t('history.decisions')),
    app.canEdit ? h('button', { type: 'button', class: 'btn btn-small', 'data-key': 'new-decision', 'data-action': 'new-decision',
      onclick: () => openDecisionEditor(app) }, '+ ', t('decision.new')) : null,
    list.length ? null : h('p', { class: 'muted' }, t('decision.none')),
    h('ul', { class: 'decision-list' }, [...list].reverse().map((d) => h('li', { 'data-decision': d.id },
      h('h3', null, d.title),
      h('p', { class: 'trail-meta' }, d.revision ? `#${d.revision} · ` : '', formatInstant(d.at), d.actor ? ` · ${d.actor}` : ''),
      d.text ? h('p', { class: 'description' }, d.text) : null,
      (d.items || []).length ? h('p', { class: 'muted' }, `${t('nav.agenda')}: `, d.items.map((id) => titleOf('items', id)).join('; ')) : null,
      (d.pledges || []).length ? h('p', { class: 'muted' }, `${t('nav.pledges')}: `, d.pledges.map((id) => titleOf('pledges', id)).join('; ')) : null))));
}

function changelogPanel(app, st, view) {
  const c = st.changelog;
  const last = (view.releases || []).at(-1);
  const title = last ? t('history.changelog', { from: last.name }) : t('history.changelogStart');
  if (!c) return h('section', { class: 'panel changelog' }, h('h2', { class: 'panel-title' }, title), h('p', { class: 'muted' }, t('loading')));
  if (c.error) return h('section', { class: 'panel changelog' }, h('h2', { class: 'panel-title' }, title), h('p', { class: 'form-error' }, c.error));
  const groups = [
    ['added', (x) => label(x)],
    ['removed', (x) => label(x)],
    ['moved', (x) => `${label(x)}: ${formatValue('start', x.old?.start ?? x.old, view)} → ${formatValue('start', x.new?.start ?? x.new, view)}`],
    ['cancelledList', (x) => label(x), 'cancelled'],
    ['changed', (x) => `${label(x)}: ${Object.entries(x.fields || {}).map(([f, v]) => `${fieldName(f)} ${formatValue(f, v.old, view)} → ${formatValue(f, v.new, view)}`).join('; ')}`],
  ];
  const any = groups.some(([k, , src]) => (c[src || k] || []).length);
  return h('section', { class: 'panel changelog', 'aria-labelledby': 'cl-h' },
    h('h2', { id: 'cl-h', class: 'panel-title' }, title),
    any ? groups.map(([k, fmt, src]) => {
      const list = c[src || k] || [];
      if (!list.length) return null;
      const ul = h('ul', null, list.map((x) => h('li', null, fmt(x))));
      return h('div', { class: `cl-group cl-${k}` }, list.length > 6
        ? h('details', null, h('summary', null, `${t(`history.${k}`)} (${list.length})`), ul)
        : [h('h3', null, t(`history.${k}`)), ul]);
    }) : h('p', { class: 'muted' }, t('history.noChanges')));
}

function label(x) { return x.title || x.name || x.id || ''; }
