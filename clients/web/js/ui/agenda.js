// The agenda: a section per day, items in time order, each in the local time where it happens.
import { h } from '../dom.js';
import { t, tOr } from '../i18n.js';
import { hm, datePart, formatDay, formatDuration, zoneLabel, localToUtcMs } from '../time.js';
import { findIn } from '../model.js';
import { GOAL_NUMBERS, goalName } from '../sdg.js';
import { sdgChips } from './chips.js';
import { renderRefused, renderOrphanRefused, pendingBadge } from './feedback.js';
import { renderConflictsPanel } from './conflicts.js';
import { openItemEditor } from './item-editor.js';
import { openPlanSettings } from './plan-settings.js';
import { openDirectory } from './directory.js';

export function renderAgenda(app, view) {
  const st = (app.tabState.agenda ||= { sdg: '' });
  const sdgFilter = Number(st.sdg) || 0;
  const itemsById = new Map(view.items.map((it) => [it.id, it]));
  return h('div', { class: 'agenda-layout' },
    h('div', { class: 'agenda-main' },
      toolbar(app, view, st),
      view.description ? h('details', { class: 'plan-about' },
        h('summary', null, t('agenda.about')), h('p', { class: 'description' }, view.description)) : null,
      renderOrphanRefused(app, view, ['item', 'venue', 'person']),
      view.days.map((day) => daySection(app, view, day,
        day.items.map((id) => itemsById.get(id)).filter((it) => it && (!sdgFilter || it.sdgs.includes(sdgFilter))))),
      h('p', { class: 'zone-note' }, t('agenda.planZone', { zone: view.timezone }))),
    h('aside', { class: 'agenda-side' }, renderConflictsPanel(app, view)));
}

function toolbar(app, view, st) {
  return h('div', { class: 'toolbar no-print' },
    app.canEdit ? h('button', { type: 'button', class: 'btn btn-primary', 'data-key': 'add-item', 'data-action': 'add-item',
      onclick: () => openItemEditor(app, null, view.start_date) }, '+ ', t('agenda.add')) : null,
    h('label', { class: 'inline-field' }, t('agenda.filterSdg'), ' ',
      h('select', { 'data-key': 'agenda-sdg', onchange: (e) => { st.sdg = e.target.value; app.changed(); } },
        h('option', { value: '', selected: !st.sdg }, t('agenda.allSdgs')),
        GOAL_NUMBERS.map((n) => h('option', { value: String(n), selected: String(n) === st.sdg }, `${n} · ${goalName(n)}`)))),
    app.canEdit ? h('div', { class: 'plan-tools', role: 'group', 'aria-label': t('agenda.planTools') },
      h('button', { type: 'button', class: 'btn', 'data-key': 'plan-settings', 'data-action': 'plan-settings',
        onclick: () => openPlanSettings(app) }, t('settings.open')),
      h('button', { type: 'button', class: 'btn', 'data-key': 'venues', 'data-action': 'venues',
        onclick: () => openDirectory(app, 'venue') }, t('directory.venue.open')),
      h('button', { type: 'button', class: 'btn', 'data-key': 'people', 'data-action': 'people',
        onclick: () => openDirectory(app, 'person') }, t('directory.person.open'))) : null,
    h('span', { class: 'spacer' }),
    h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => window.print() }, t('agenda.print')),
    !app.api ? null : h('button', { type: 'button', class: 'btn btn-ghost',
      onclick: () => app.api.download(app.api.icsUrl(app.planId), `${app.planId}.ics`).catch((e) => app.toast(e.message, 'error')) },
    t('agenda.ics')));
}

function daySection(app, view, day, items) {
  const headId = `day-${day.date}`;
  return h('section', { class: 'day', 'aria-labelledby': headId, 'data-date': day.date },
    h('header', { class: 'day-head' },
      h('h2', { id: headId, class: 'day-title' },
        h('span', { class: 'day-date' }, formatDay(day.date)),
        day.title ? h('span', { class: 'day-name' }, day.title) : null),
      day.place && day.place !== day.title ? h('p', { class: 'day-place' }, day.place) : null),
    items.length
      ? h('ol', { class: 'items' }, items.map((it) => h('li', null, itemCard(app, view, it))))
      : h('p', { class: 'empty' }, t('agenda.empty')),
    app.canEdit ? h('button', { type: 'button', class: 'btn btn-ghost add-on-day no-print', 'data-key': `add-${day.date}`,
      'aria-label': t('agenda.addOn', { date: formatDay(day.date) }),
      onclick: () => openItemEditor(app, null, day.date) }, '+ ', t('agenda.add')) : null);
}

function itemCard(app, view, it) {
  const key = `item:${it.id}`;
  const others = app.editingOthers(it.id);
  const venue = it.venue ? findIn(view, 'venues', it.venue) : null;
  const titleId = `item-title-${it.id}`;
  return h('article', {
    class: `item status-${it.status} kind-${it.kind}${others.length ? ' is-being-edited' : ''}`,
    id: `item-${it.id}`, 'data-item': it.id, 'data-key': `item-${it.id}`, 'data-status': it.status, tabindex: '-1', 'aria-labelledby': titleId,
  },
  timeColumn(view, it),
  h('div', { class: 'item-body' },
    h('div', { class: 'item-head' },
      h('h3', { class: 'item-title', id: titleId }, it.status === 'cancelled' ? h('s', null, it.title) : it.title),
      h('span', { class: 'item-badges' },
        h('span', { class: 'badge badge-kind' }, tOr(`kind.${it.kind}`, it.kind)),
        it.status === 'tentative' ? h('span', { class: 'badge badge-tbc', title: t('agenda.tbcLong') }, t('agenda.tbc')) : null,
        it.status === 'cancelled' ? h('span', { class: 'badge badge-cancelled' }, t('agenda.cancelled')) : null,
        pendingBadge(app, key)),
      sdgChips(it.sdgs, view.priority_sdgs)),
    venue ? venueLine(venue) : null,
    speakersList(view, it),
    it.topics && it.topics.length ? h('ul', { class: 'topics', 'aria-label': t('agenda.topics') }, it.topics.map((x) => h('li', null, x))) : null,
    it.description ? h('p', { class: 'description' }, it.description) : null,
    others.map((u) => h('p', { class: 'editing-by', 'data-editing': u.actor }, '✎ ', t('presence.editing', { name: u.actor }))),
    renderRefused(app, app.refusedFor(key), view),
    app.canEdit ? actions(app, it) : null));
}

function timeColumn(view, it) {
  const planTz = view.timezone;
  const sTz = it.start.tz || planTz, eTz = it.end.tz || planTz;
  const sMs = it.start_utc ? Date.parse(it.start_utc) : localToUtcMs(it.start.local, sTz);
  const eMs = it.end_utc ? Date.parse(it.end_utc) : localToUtcMs(it.end.local, eTz);
  const zonesDiffer = sTz !== eTz;
  const showStartZone = sTz !== planTz || zonesDiffer;
  const showEndZone = zonesDiffer;
  const endDate = datePart(it.end.local) !== datePart(it.start.local) ? ` (${formatDay(datePart(it.end.local))})` : '';
  return h('div', { class: 'item-time' },
    h('p', { class: 'time-range' },
      h('time', { datetime: it.start_utc || '' }, hm(it.start.local)),
      h('span', { class: 'dash' }, zonesDiffer ? ' → ' : ' – '),
      h('time', { datetime: it.end_utc || '' }, hm(it.end.local), endDate)),
    showStartZone ? h('p', { class: 'zone' }, zonesDiffer ? `${hm(it.start.local)} ` : '', zoneLabel(sTz, sMs)) : null,
    showEndZone ? h('p', { class: 'zone' }, `${hm(it.end.local)} `, zoneLabel(eTz, eMs)) : null,
    h('p', { class: 'duration' }, formatDuration(it.duration_min)));
}

function venueLine(v) {
  const place = [v.name, v.building && !(v.room || '').includes(v.building) ? v.building : '', v.room].filter(Boolean).join(', ');
  const addr = [v.address, v.address && v.city && v.address.includes(v.city) ? '' : v.city].filter(Boolean).join(', ');
  return h('p', { class: 'venue' }, h('span', { class: 'venue-pin', 'aria-hidden': 'true' }), place,
    addr ? h('span', { class: 'address' }, ' · ', addr) : null);
}

function speakersList(view, it) {
  if (!it.speakers || !it.speakers.length) return null;
  return h('ul', { class: 'speakers', 'aria-label': t('agenda.speakers') }, it.speakers.map((id) => {
    const p = findIn(view, 'people', id);
    if (!p) return h('li', null, id);
    const rest = [p.role, p.organisation].filter(Boolean).join(', ');
    return h('li', null, h('span', { class: 'person-name' }, p.name), rest ? h('span', { class: 'person-role' }, ' — ', rest) : null);
  }));
}

function actions(app, it) {
  return h('div', { class: 'item-actions no-print' },
    h('button', { type: 'button', class: 'btn btn-small', 'data-key': `edit-${it.id}`, 'data-action': 'edit',
      'aria-label': t('agenda.editItem', { title: it.title }), onclick: () => openItemEditor(app, it.id) }, t('agenda.edit')),
    h('select', {
      class: 'status-select', 'data-key': `status-${it.id}`, 'data-action': 'status', 'aria-label': t('agenda.statusOf', { title: it.title }),
      onchange: (e) => app.send('set-item-status', { item: it.id, status: e.target.value }),
    }, ['confirmed', 'tentative', 'cancelled'].map((s) => h('option', { value: s, selected: it.status === s }, t(`status.${s}`)))));
}
