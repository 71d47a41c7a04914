// The plan's settings (update-plan) and its days' titles and places (set-day), in one sheet.
// Only what the user changed is sent, with base = the revision the sheet opened at, so a field
// someone else changed meanwhile comes back as a conflict explained in the sheet.
import { h, field } from '../dom.js';
import { t, LANGS } from '../i18n.js';
import { timeZones } from '../time.js';
import { openSheet } from './dialog.js';
import { sdgPicker, readSdgPicker } from './chips.js';
import { refusalText } from './refusal.js';

const TEXT_FIELDS = ['title', 'organiser', 'place'];

export function openPlanSettings(app) {
  const view = app.model.view;
  const base = app.model.revision;
  const f = {
    title: h('input', { type: 'text', maxlength: '200', value: view.title || '', 'data-field': 'title', autocomplete: 'off' }),
    organiser: h('input', { type: 'text', maxlength: '200', value: view.organiser || '', 'data-field': 'organiser' }),
    place: h('input', { type: 'text', maxlength: '200', value: view.place || '', 'data-field': 'place' }),
    timezone: h('input', { type: 'text', list: 'plan-tz-list', value: view.timezone || '', 'data-field': 'timezone', autocomplete: 'off' }),
    language: h('select', { 'data-field': 'language' },
      LANGS.map((l) => h('option', { value: l, selected: view.language === l }, t(`lang.${l}`)))),
    start_date: h('input', { type: 'date', value: view.start_date || '', 'data-field': 'start_date' }),
    end_date: h('input', { type: 'date', value: view.end_date || '', 'data-field': 'end_date' }),
    description: h('textarea', { rows: '4', maxlength: '5000', value: view.description || '', 'data-field': 'description' }),
    priority: sdgPicker(t('settings.priority'), view.priority_sdgs || [], []),
  };
  const days = view.days.map((d) => ({
    day: d,
    title: h('input', { type: 'text', maxlength: '200', value: d.title || '', 'data-day-title': d.date }),
    place: h('input', { type: 'text', maxlength: '200', value: d.place || '', 'data-day-place': d.date }),
  }));
  const newDay = h('input', { type: 'date', 'data-field': 'new-day' });
  const newDayTitle = h('input', { type: 'text', maxlength: '200', 'data-field': 'new-day-title' });

  const sheet = openSheet({
    title: t('settings.title'),
    className: 'plan-settings',
    onSubmit: () => save(app, view, f, days, base),
  });
  sheet.body.append(
    field(t('settings.planTitle'), f.title),
    h('div', { class: 'row' }, field(t('settings.organiser'), f.organiser), field(t('settings.place'), f.place)),
    h('div', { class: 'row' }, field(t('settings.startDate'), f.start_date), field(t('settings.endDate'), f.end_date)),
    h('div', { class: 'row' },
      field(t('settings.timezone'), f.timezone, t('settings.timezoneHint')),
      field(t('settings.language'), f.language)),
    h('datalist', { id: 'plan-tz-list' }, timeZones().map((z) => h('option', { value: z }))),
    field(t('settings.description'), f.description),
    f.priority,
    h('fieldset', { class: 'days-field' }, h('legend', null, t('settings.days')),
      h('p', { class: 'hint' }, t('settings.daysHint')),
      days.map(({ day, title, place }) => h('div', { class: 'row day-row', 'data-date': day.date },
        field(t('settings.dayTitle', { date: day.date }), title),
        field(t('settings.dayPlace', { date: day.date }), place))),
      h('div', { class: 'row' }, field(t('settings.newDay'), newDay, t('settings.newDayHint')), field(t('settings.newDayTitle'), newDayTitle))));
  days.push({ day: null, date: newDay, title: newDayTitle, place: null });
  f.title.focus();
  return sheet;
}

async function save(app, view, f, days, base) {
  const set = {};
  for (const k of [...TEXT_FIELDS, 'timezone', 'start_date', 'end_date']) {
    const v = f[k].value.trim();
    if (v !== (view[k] || '')) set[k] = v;
  }
  if (!f.title.value.trim()) { f.title.focus(); return t('editor.required', { field: t('settings.planTitle') }); }
  if (f.start_date.value && f.end_date.value && f.end_date.value < f.start_date.value) { f.end_date.focus(); return t('settings.endBeforeStart'); }
  if (f.language.value !== view.language) set.language = f.language.value;
  if (f.description.value.trim() !== (view.description || '')) set.description = f.description.value.trim();
  const priority = readSdgPicker(f.priority);
  if (JSON.stringify(priority) !== JSON.stringify([...(view.priority_sdgs || [])].sort((a, b) => a - b))) set.priority_sdgs = priority;

  const sends = [];
  if (Object.keys(set).length) sends.push(['update-plan', set]);
  for (const d of days) {
    if (!d.day) {
      if (d.date.value && !d.title.value.trim()) { d.title.focus(); return t('editor.required', { field: t('settings.newDayTitle') }); }
      if (d.date.value) sends.push(['set-day', { date: d.date.value, title: d.title.value.trim() }]);
      continue;
    }
    const change = {};
    if (d.title.value.trim() !== (d.day.title || '')) change.title = d.title.value.trim();
    if (d.place.value.trim() !== (d.day.place || '')) change.place = d.place.value.trim();
    if (Object.keys(change).length) sends.push(['set-day', { date: d.day.date, ...change }]);
  }
  if (!sends.length) { app.toast(t('editor.nothing')); return null; }
  const errors = (await Promise.all(sends.map(([type, data]) => app.sendAndWait(type, data, { base })))).filter(Boolean);
  return errors.length ? errors.map((e) => refusalText(e)).join(' ') : null;
}
