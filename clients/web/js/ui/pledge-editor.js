// Make a pledge, or update one: its fields (update-pledge), its status (set-pledge-status) and a
// progress report (report-pledge-progress), each sent only when it changed.
import { h, field, slug, randomId } from '../dom.js';
import { t } from '../i18n.js';
import { findIn } from '../model.js';
import { openSheet } from './dialog.js';
import { sdgPicker, readSdgPicker } from './chips.js';

const STATUSES = ['proposed', 'committed', 'in-progress', 'fulfilled', 'withdrawn'];

export function openPledgeEditor(app, pledgeId) {
  const view = app.model.view;
  const live = pledgeId ? findIn(view, 'pledges', pledgeId) : null;
  const p = live ? structuredClone(live) : null;   // as the user saw it when opening
  const base = app.model.revision;
  const munis = [...new Set(view.pledges.map((x) => x.by?.municipality).filter(Boolean))];
  const campaigns = [...new Set(view.pledges.map((x) => x.campaign).filter(Boolean))];
  const f = {
    municipality: h('input', { type: 'text', list: 'muni-list', required: true, value: p?.by?.municipality || '', 'data-field': 'municipality', maxlength: '200' }),
    person: h('input', { type: 'text', value: p?.by?.person || '', 'data-field': 'person', maxlength: '200' }),
    title: h('input', { type: 'text', required: true, value: p?.title || '', 'data-field': 'title', maxlength: '200' }),
    description: h('textarea', { rows: '3', value: p?.description || '', 'data-field': 'description' }),
    sdgs: sdgPicker(t('editor.sdgs'), p?.sdgs || [], view.priority_sdgs),
    campaign: h('input', { type: 'text', list: 'camp-list', value: p?.campaign ?? (campaigns[0] || ''), 'data-field': 'campaign', maxlength: '200' }),
    from: h('input', { type: 'date', value: p?.window?.from || '', 'data-field': 'from' }),
    to: h('input', { type: 'date', value: p?.window?.to || '', 'data-field': 'to' }),
    item: h('select', { 'data-field': 'item' }, h('option', { value: '' }, t('pledges.noItem')),
      view.items.map((it) => h('option', { value: it.id, selected: p?.item === it.id }, it.title))),
    status: h('select', { 'data-field': 'status' }, STATUSES.map((s) => h('option', { value: s, selected: (p?.status || 'proposed') === s }, t(`pstatus.${s}`)))),
    statusNote: h('input', { type: 'text', value: '', 'data-field': 'status-note', maxlength: '1000' }),
    percent: h('input', { type: 'number', min: '0', max: '100', step: '5', value: String(p?.progress ?? 0), 'data-field': 'percent' }),
    note: h('input', { type: 'text', value: '', 'data-field': 'note', maxlength: '1000' }),
  };
  if (!p && view.pledges[0]?.window) { f.from.value = view.pledges[0].window.from || ''; f.to.value = view.pledges[0].window.to || ''; }
  const sheet = openSheet({
    title: p ? t('pledges.editTitle') : t('pledges.new'),
    className: 'pledge-editor',
    onSubmit: () => save(app, p, f, base),
  });
  sheet.body.append(
    h('datalist', { id: 'muni-list' }, munis.map((m) => h('option', { value: m }))),
    h('datalist', { id: 'camp-list' }, campaigns.map((c) => h('option', { value: c }))),
    h('div', { class: 'row' }, field(t('pledges.municipality'), f.municipality), field(t('pledges.person'), f.person)),
    field(t('pledges.titleField'), f.title),
    field(t('pledges.description'), f.description),
    f.sdgs,
    field(t('pledges.campaign'), f.campaign),
    h('div', { class: 'row' }, field(t('pledges.windowFrom'), f.from), field(t('pledges.windowTo'), f.to)),
    field(t('pledges.item'), f.item),
    h('fieldset', null, h('legend', null, t('pledges.setStatus')),
      h('div', { class: 'row' }, field(t('editor.status'), f.status), field(t('pledges.statusNote'), f.statusNote))),
    p ? h('fieldset', null, h('legend', null, t('pledges.report')),
      h('div', { class: 'row' }, field(t('pledges.percent'), f.percent), field(t('pledges.note'), f.note))) : null);
  f.municipality.focus();
}

function save(app, p, f, base) {
  const title = f.title.value.trim(), municipality = f.municipality.value.trim();
  if (!municipality) { f.municipality.focus(); return t('editor.required', { field: t('pledges.municipality') }); }
  if (!title) { f.title.focus(); return t('editor.required', { field: t('pledges.titleField') }); }
  const by = { municipality };
  if (f.person.value.trim()) by.person = f.person.value.trim();
  const window = f.from.value && f.to.value ? { from: f.from.value, to: f.to.value } : null;
  const fields = { by, title, description: f.description.value.trim(), sdgs: readSdgPicker(f.sdgs),
    campaign: f.campaign.value.trim(), window, item: f.item.value || null };
  if (!p) {
    const data = { pledge: `${slug(title)}-${randomId('').slice(0, 4)}`, by, title };
    for (const [k, v] of Object.entries(fields)) if (!(k in data) && v !== null && v !== '' && !(Array.isArray(v) && !v.length)) data[k] = v;
    app.send('make-pledge', data, { base });
    if (f.status.value !== 'proposed') app.send('set-pledge-status', { pledge: data.pledge, status: f.status.value, ...(f.statusNote.value.trim() ? { note: f.statusNote.value.trim() } : {}) }, { base: null });
    return null;
  }
  const changes = {};
  for (const [k, v] of Object.entries(fields)) {
    const old = k === 'sdgs' ? [...(p.sdgs || [])].sort((a, b) => a - b) : (p[k] ?? (k === 'window' || k === 'item' ? null : ''));
    if (JSON.stringify(v) !== JSON.stringify(k === 'by' ? { municipality: p.by?.municipality, ...(p.by?.person ? { person: p.by.person } : {}) } : old)) changes[k] = v;
  }
  if (Object.keys(changes).length) app.send('update-pledge', { pledge: p.id, ...changes }, { base });
  if (f.status.value !== p.status || f.statusNote.value.trim()) {
    app.send('set-pledge-status', { pledge: p.id, status: f.status.value, ...(f.statusNote.value.trim() ? { note: f.statusNote.value.trim() } : {}) }, { base });
  }
  const percent = Number(f.percent.value);
  // A fulfilled or withdrawn pledge takes no progress report (the server answers 409).
  const reportable = !['fulfilled', 'withdrawn'].includes(f.status.value);
  if (reportable && Number.isFinite(percent) && (percent !== (p.progress ?? 0) || f.note.value.trim())) {
    app.send('report-pledge-progress', { pledge: p.id, percent: Math.max(0, Math.min(100, Math.round(percent))), ...(f.note.value.trim() ? { note: f.note.value.trim() } : {}) }, { base });
  }
  return null;
}
