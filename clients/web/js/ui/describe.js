// Words for changes: what an event changed ("start: 10:30 → 11:00") and what a command wants,
// used by the conflict cards. Values are formatted for people (names, not ids).
import { t, tOr } from '../i18n.js';
import { formatTimeValue, formatShortDate } from '../time.js';
import { findIn } from '../model.js';

const ID_FIELDS = new Set(['item', 'pledge', 'venue', 'person', 'decision', 'date']);

export function fieldName(f) { return tOr(`field.${f}`, f); }

export function formatValue(field, v, view) {
  if (v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length)) return t('value.none');
  switch (field) {
    case 'start': case 'end': return formatTimeValue(v, view?.timezone) ?? JSON.stringify(v);
    case 'venue': return (view && findIn(view, 'venues', v)?.name) || String(v);
    case 'status': return tOr(`status.${v}`, tOr(`pstatus.${v}`, String(v)));
    case 'kind': return tOr(`kind.${v}`, String(v));
    case 'speakers': return v.map((p) => personName(view, p)).join(', ');
    case 'item': return (view && findIn(view, 'items', v)?.title) || String(v);
    case 'window': return `${formatShortDate(v.from)} – ${formatShortDate(v.to)}`;
    case 'by': return [v.municipality, v.person].filter(Boolean).join(', ');
    case 'progress': return `${v} %`;
    default:
      if (Array.isArray(v)) return v.join(', ');
      if (typeof v === 'object') return JSON.stringify(v);
      return String(v);
  }
}

function personName(view, id) { return (view && findIn(view, 'people', id)?.name) || id; }

/** Lines describing one event's change to its entity. */
export function describeEvent(ev, view) {
  const d = ev.data || {};
  if (ev.type === 'SpeakerAssigned') return [t('cmd.assign', { name: personName(view, d.person) })];
  if (ev.type === 'SpeakerUnassigned') return [t('cmd.unassign', { name: personName(view, d.person) })];
  if (d.set) {
    return Object.keys(d.set).map((f) => `${fieldName(f)}: ${formatValue(f, d.was?.[f], view)} → ${formatValue(f, d.set[f], view)}`);
  }
  if (d.was && !d.value) return [t('conflict.removed')];
  if (d.value) return [t('cmd.create', { title: d.value.title || d.value.name || '' })];
  return [ev.type];
}

/** Lines describing what a command would change. */
export function describeCommand(cmd, view) {
  const d = cmd.data || {};
  switch (cmd.type) {
    case 'assign-speaker': return [t('cmd.assign', { name: personName(view, d.person) })];
    case 'unassign-speaker': return [t('cmd.unassign', { name: personName(view, d.person) })];
    case 'remove-item': return [t('cmd.remove', { title: findIn(view || {}, 'items', d.item)?.title || d.item })];
    case 'schedule-item': case 'make-pledge': case 'add-venue': case 'add-person':
      return [t('cmd.create', { title: d.title || d.name || '' })];
    case 'publish-release': return [t('cmd.release', { name: d.name })];
    case 'set-pledge-status': return [`${fieldName('status')}: ${formatValue('status', d.status, view)}`];
    case 'report-pledge-progress': return [`${fieldName('progress')}: ${d.percent} %`];
    default:
      return Object.keys(d).filter((f) => !ID_FIELDS.has(f) || (f === 'venue' && d.item))
        .map((f) => `${fieldName(f)}: ${formatValue(f, d[f], view)}`);
  }
}
