// Add or edit an agenda item. Saving turns the form's differences into commands, each with
// base = the revision the plan was at when the editor opened, so a change someone else made
// to the same field meanwhile comes back as a conflict instead of being overwritten.
import { h, field, slug, randomId } from '../dom.js';
import { t, tOr } from '../i18n.js';
import { findIn } from '../model.js';
import { localToUtcMs, utcMsToLocal, timeZones, hm, datePart } from '../time.js';
import { openSheet } from './dialog.js';
import { sdgPicker, readSdgPicker } from './chips.js';
import { fieldName } from './describe.js';

const KINDS = ['meeting', 'visit', 'presentation', 'break', 'travel', 'meal', 'other'];
const STATUSES = ['confirmed', 'tentative', 'cancelled'];

export function openItemEditor(app, itemId, date) {
  if (app.editor) app.editor.close();
  const view = app.model.view;
  // A copy: the live model changes under an open editor, but what to send is what *this* user
  // changed relative to what they saw when they opened it.
  const live = itemId ? findIn(view, 'items', itemId) : null;
  if (itemId && !live) return;
  const item = live ? structuredClone(live) : null;
  const base = app.model.revision;
  const planTz = view.timezone;
  const day = date || view.start_date || new Date().toISOString().slice(0, 10);
  const start = item ? item.start : { local: `${day}T09:00`, tz: planTz };
  const end = item ? item.end : { local: `${day}T10:00`, tz: planTz };

  const f = {
    title: h('input', { type: 'text', required: true, maxlength: '200', value: item?.title || '', autocomplete: 'off', 'data-field': 'title' }),
    kind: select(withCurrent(KINDS, item?.kind), item?.kind || 'meeting', (k) => tOr(`kind.${k}`, k)),
    status: select(STATUSES, item?.status || 'confirmed', (s) => t(`status.${s}`)),
    startDate: h('input', { type: 'date', required: true, value: datePart(start.local), 'data-field': 'start-date' }),
    startTime: h('input', { type: 'time', required: true, value: hm(start.local), 'data-field': 'start-time' }),
    endDate: h('input', { type: 'date', required: true, value: datePart(end.local), 'data-field': 'end-date' }),
    endTime: h('input', { type: 'time', required: true, value: hm(end.local), 'data-field': 'end-time' }),
    startTz: h('input', { type: 'text', list: 'tz-list', value: start.tz || planTz, 'data-field': 'start-tz', autocomplete: 'off' }),
    endTz: h('input', { type: 'text', list: 'tz-list', value: end.tz || planTz, 'data-field': 'end-tz', autocomplete: 'off' }),
    venue: h('select', { 'data-field': 'venue' },
      h('option', { value: '' }, t('editor.noVenue')),
      view.venues.map((v) => h('option', { value: v.id, selected: item?.venue === v.id }, [v.name, v.room].filter(Boolean).join(' · ')))),
    speakers: h('div', { class: 'check-list', 'data-field': 'speakers' },
      view.people.map((p) => speakerCheckbox(p, (item?.speakers || []).includes(p.id)))),
    sdgs: sdgPicker(t('editor.sdgs'), item?.sdgs || [], view.priority_sdgs),
    description: h('textarea', { rows: '3', maxlength: '5000', value: item?.description || '', 'data-field': 'description' }),
    topics: h('textarea', { rows: '3', value: (item?.topics || []).join('\n'), 'data-field': 'topics' }),
    track: h('input', { type: 'text', maxlength: '200', value: item?.track || '', 'data-field': 'track' }),
    reason: h('input', { type: 'text', maxlength: '1000', 'data-field': 'reason', autocomplete: 'off' }),
  };
  keepDuration(f, planTz);
  const zonesOpen = (start.tz || planTz) !== planTz || (end.tz || planTz) !== planTz;

  let removeArmed = false;
  const removeBtn = item ? h('button', {
    type: 'button', class: 'btn btn-danger', 'data-action': 'remove',
    onclick: () => {
      if (!removeArmed) { removeArmed = true; removeBtn.textContent = t('editor.removeConfirm'); return; }
      app.send('remove-item', { item: item.id }, { base, reason: f.reason.value.trim() });
      sheet.close();
    },
  }, t('editor.remove')) : null;

  const sheet = openSheet({
    title: item ? t('editor.edit') : t('editor.new'),
    className: 'item-editor',
    footerStart: removeBtn ? [removeBtn] : [],
    onSubmit: () => save(app, item, f, base, planTz),
    onClose: () => { app.editor = null; app.conn.presence(null); },
  });
  sheet.body.append(
    field(t('editor.title'), f.title),
    h('div', { class: 'row' }, field(t('editor.kind'), f.kind), field(t('editor.status'), f.status)),
    h('fieldset', { class: 'when' }, h('legend', null, t('editor.when')),
      h('div', { class: 'row' }, field(t('editor.startDate'), f.startDate), field(t('editor.startTime'), f.startTime)),
      h('div', { class: 'row' }, field(t('editor.endDate'), f.endDate), field(t('editor.endTime'), f.endTime)),
      h('details', { class: 'zones', open: zonesOpen },
        h('summary', null, t('editor.startZone'), ' / ', t('editor.endZone')),
        h('div', { class: 'row' }, field(t('editor.startZone'), f.startTz), field(t('editor.endZone'), f.endTz)),
        h('small', { class: 'hint' }, t('editor.zoneHint')),
        h('datalist', { id: 'tz-list' }, timeZones().map((z) => h('option', { value: z }))))),
    field(t('editor.venue'), f.venue),
    newVenueForm(app, f.venue),
    h('fieldset', { class: 'speakers-field' }, h('legend', null, t('editor.speakers')), f.speakers, newPersonForm(app, f.speakers)),
    f.sdgs,
    field(t('editor.description'), f.description),
    field(t('editor.topics'), f.topics),
    field(t('editor.track'), f.track),
    field(t('editor.reason'), f.reason, t('editor.reasonHint')));

  app.editor = {
    itemId: item?.id || null,
    close: sheet.close,
    onEvent(ev) {
      if (!item || ev.data?.item !== item.id || app.mine.has(ev.command)) return;
      const d = ev.data;
      const text = d.was && !d.set && !d.value
        ? t('editor.removedMeanwhile', { actor: ev.actor })
        : t('editor.changedMeanwhile', { actor: ev.actor, fields: d.set ? Object.keys(d.set).map(fieldName).join(', ') : fieldName('speakers') });
      sheet.notice.replaceChildren(h('p', { class: 'notice-warn' }, text));
    },
  };
  if (item) app.conn.presence(item.id);
  f.title.focus();
}

/**
 * Moving the start moves the end with it (the duration stays), as in any calendar, until the
 * user sets the end by hand.
 */
function keepDuration(f, planTz) {
  const instant = (d, tm, tz) => { try { return localToUtcMs(`${d.value}T${tm.value.slice(0, 5)}`, tz.value.trim() || planTz); } catch { return NaN; } };
  let start = instant(f.startDate, f.startTime, f.startTz);
  let endTouched = false;
  for (const el of [f.endDate, f.endTime]) el.addEventListener('input', () => { endTouched = true; });
  const moved = () => {
    const now = instant(f.startDate, f.startTime, f.startTz);
    const end = instant(f.endDate, f.endTime, f.endTz);
    if (!endTouched && Number.isFinite(now) && Number.isFinite(start) && Number.isFinite(end) && now !== start) {
      const local = utcMsToLocal(end + (now - start), f.endTz.value.trim() || planTz);
      f.endDate.value = local.slice(0, 10);
      f.endTime.value = local.slice(11, 16);
    }
    start = now;
  };
  for (const el of [f.startDate, f.startTime]) { el.addEventListener('input', moved); el.addEventListener('change', moved); }
}

/** The known values plus the entity's own, so opening and saving never changes it silently. */
function withCurrent(values, current) { return current && !values.includes(current) ? [...values, current] : values; }

function select(values, current, label) {
  return h('select', null, values.map((v) => h('option', { value: v, selected: v === current }, label(v))));
}

function speakerCheckbox(p, checked) {
  const id = `sp-${p.id}`;
  return h('span', { class: 'check' },
    h('input', { type: 'checkbox', id, value: p.id, checked }),
    h('label', { for: id }, p.name, p.organisation ? h('small', null, ` — ${p.organisation}`) : null));
}

function newPersonForm(app, list) {
  const name = h('input', { type: 'text', maxlength: '200' });
  const role = h('input', { type: 'text', maxlength: '200' });
  const org = h('input', { type: 'text', maxlength: '200' });
  return h('details', { class: 'inline-create' },
    h('summary', null, '+ ', t('editor.newPerson')),
    h('div', { class: 'row' }, field(t('editor.personName'), name), field(t('editor.personRole'), role)),
    field(t('editor.personOrg'), org),
    h('button', { type: 'button', class: 'btn btn-small', onclick: (e) => {
      const n = name.value.trim();
      if (!n) { name.focus(); return; }
      const id = `${slug(n)}-${randomId('').slice(0, 4)}`;
      app.send('add-person', { person: id, name: n, role: role.value.trim(), organisation: org.value.trim() });
      list.appendChild(speakerCheckbox({ id, name: n, organisation: org.value.trim() }, true));
      name.value = role.value = org.value = '';
      e.target.closest('details').open = false;
    } }, t('editor.addPerson')));
}

function newVenueForm(app, venueSelect) {
  const inputs = { name: 'editor.venueName', building: 'editor.building', room: 'editor.room', address: 'editor.address', city: 'editor.city' };
  const els = Object.fromEntries(Object.keys(inputs).map((k) => [k, h('input', { type: 'text', maxlength: k === 'address' ? '300' : '200' })]));
  return h('details', { class: 'inline-create' },
    h('summary', null, '+ ', t('editor.newVenue')),
    Object.entries(inputs).map(([k, label]) => field(t(label), els[k])),
    h('button', { type: 'button', class: 'btn btn-small', onclick: (e) => {
      const n = els.name.value.trim();
      if (!n) { els.name.focus(); return; }
      const id = `${slug(n)}-${randomId('').slice(0, 4)}`;
      const data = { venue: id, name: n };
      for (const k of ['building', 'room', 'address', 'city']) if (els[k].value.trim()) data[k] = els[k].value.trim();
      app.send('add-venue', data);
      venueSelect.appendChild(h('option', { value: id, selected: true }, n));
      for (const el of Object.values(els)) el.value = '';
      e.target.closest('details').open = false;
    } }, t('editor.addVenue')));
}

/** Validates, then sends the commands for what changed. Returns an error text or null. */
function save(app, item, f, base, planTz) {
  const title = f.title.value.trim();
  if (!title) { f.title.focus(); return t('editor.required', { field: t('editor.title') }); }
  for (const el of [f.startDate, f.startTime, f.endDate, f.endTime]) {
    if (!el.value) { el.focus(); return t('editor.required', { field: el.closest('.field').querySelector('label').textContent }); }
  }
  const start = { local: `${f.startDate.value}T${f.startTime.value.slice(0, 5)}`, tz: f.startTz.value.trim() || planTz };
  const end = { local: `${f.endDate.value}T${f.endTime.value.slice(0, 5)}`, tz: f.endTz.value.trim() || planTz };
  try {
    if (localToUtcMs(end.local, end.tz) < localToUtcMs(start.local, start.tz)) { f.endTime.focus(); return t('editor.endBeforeStart'); }
  } catch { f.startTz.focus(); return t('editor.required', { field: t('editor.startZone') }); }
  const topics = f.topics.value.split('\n').map((x) => x.trim()).filter(Boolean);
  const speakers = [...f.speakers.querySelectorAll('input:checked')].map((x) => x.value);
  const sdgs = readSdgPicker(f.sdgs);
  const venue = f.venue.value || null;
  const opts = { base, reason: f.reason.value.trim() };

  if (!item) {
    const data = { item: `${slug(title)}-${randomId('').slice(0, 4)}`, title, kind: f.kind.value, start, end, status: f.status.value };
    if (venue) data.venue = venue;
    if (f.description.value.trim()) data.description = f.description.value.trim();
    if (topics.length) data.topics = topics;
    if (sdgs.length) data.sdgs = sdgs;
    if (f.track.value.trim()) data.track = f.track.value.trim();
    if (speakers.length) data.speakers = speakers;
    app.send('schedule-item', data, opts);
    return null;
  }

  const sent = [];
  const send = (type, data) => sent.push(app.send(type, { item: item.id, ...data }, opts));
  const edits = {};
  if (title !== item.title) edits.title = title;
  if (f.kind.value !== item.kind) edits.kind = f.kind.value;
  if (f.description.value.trim() !== (item.description || '')) edits.description = f.description.value.trim();
  if (JSON.stringify(topics) !== JSON.stringify(item.topics || [])) edits.topics = topics;
  if (f.track.value.trim() !== (item.track || '')) edits.track = f.track.value.trim();
  if (Object.keys(edits).length) send('edit-item', edits);
  const moved = {};
  if (!sameTime(start, item.start, planTz)) moved.start = start;
  if (!sameTime(end, item.end, planTz)) moved.end = end;
  if (Object.keys(moved).length) send('reschedule-item', moved);
  if (venue !== (item.venue || null)) send('set-item-venue', { venue });
  if (f.status.value !== item.status) send('set-item-status', { status: f.status.value });
  if (JSON.stringify(sdgs) !== JSON.stringify([...(item.sdgs || [])].sort((a, b) => a - b))) send('tag-item', { sdgs });
  const had = new Set(item.speakers || []);
  for (const p of speakers) if (!had.has(p)) send('assign-speaker', { person: p });
  for (const p of had) if (!speakers.includes(p)) send('unassign-speaker', { person: p });
  if (!sent.length) app.toast(t('editor.nothing'));
  return null;
}

function sameTime(a, b, planTz) {
  return a.local.slice(0, 16) === (b.local || '').slice(0, 16) && (a.tz || planTz) === (b.tz || planTz);
}
