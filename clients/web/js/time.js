// Times as kartiba writes them: {"local":"2024-05-15T07:30","tz":"Europe/Riga"}, the wall-clock
// time at the place where the item happens. Conversions use the browser's Intl time-zone data.
import { t, lang, zoneCity } from './i18n.js';

const partFormatters = new Map();
function partsIn(tz, ms) {
  let f = partFormatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    partFormatters.set(tz, f);
  }
  const p = {};
  for (const x of f.formatToParts(new Date(ms))) p[x.type] = x.value;
  return p;
}

/** Minutes east of UTC in zone tz at the instant ms. */
export function offsetMinutes(tz, ms) {
  const p = partsIn(tz, ms);
  const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
}

/** The instant (ms) of a local wall-clock time in a zone (the earlier one in a DST overlap). */
export function localToUtcMs(local, tz) {
  const [d, tm = '00:00'] = local.split('T');
  const [Y, M, D] = d.split('-').map(Number);
  const [hh, mm, ss = 0] = tm.split(':').map(Number);
  const guess = Date.UTC(Y, M - 1, D, hh, mm, ss);
  let ms = guess - offsetMinutes(tz, guess) * 60000;
  ms = guess - offsetMinutes(tz, ms) * 60000;
  return ms;
}

/** The wall-clock time "YYYY-MM-DDTHH:MM" in zone tz at the instant ms. */
export function utcMsToLocal(ms, tz) {
  const p = partsIn(tz, ms);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

export function isoUtc(ms) { return new Date(ms).toISOString().replace('.000Z', 'Z'); }

/** "UTC+3", "UTC−5:30". */
export function formatOffset(min) {
  const sign = min < 0 ? '−' : '+';
  const a = Math.abs(min);
  return `UTC${sign}${Math.floor(a / 60)}${a % 60 ? ':' + String(a % 60).padStart(2, '0') : ''}`;
}

/** "Rīgas laiks (UTC+3)" for the zone at that instant. */
export function zoneLabel(tz, ms) {
  return t('agenda.zoneNote', { city: zoneCity(tz), offset: formatOffset(offsetMinutes(tz, ms)) });
}

export const hm = (local) => (local || '').slice(11, 16);
export const datePart = (local) => (local || '').slice(0, 10);

export function formatDuration(min) {
  if (min == null || Number.isNaN(min)) return '';
  const h = Math.floor(min / 60), m = min % 60;
  if (!h) return t('duration.m', { m });
  if (!m) return t('duration.h', { h });
  return t('duration.hm', { h, m });
}

function locale() { return lang() === 'lv' ? 'lv-LV' : 'en-GB'; }

/** "trešdiena, 15. maijs" / "Wednesday 15 May" for a YYYY-MM-DD date. */
export function formatDay(date, withYear = false) {
  const opts = { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' };
  if (withYear) opts.year = 'numeric';
  return new Intl.DateTimeFormat(locale(), opts).format(new Date(`${date}T12:00:00Z`));
}

/** "15. maijs" / "15 May" (short, for windows and ranges). */
export function formatShortDate(date) {
  if (!date) return '';
  return new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })
    .format(new Date(`${date}T12:00:00Z`));
}

/** An event time (RFC 3339) in the reader's own zone, short. */
export function formatInstant(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** A time object as text: "2024-05-15 10:30" plus the zone when it is not the plan's. */
export function formatTimeValue(v, planTz) {
  if (!v || typeof v !== 'object' || !v.local) return null;
  const s = v.local.replace('T', ' ').slice(0, 16);
  return v.tz && v.tz !== planTz ? `${s} (${zoneCity(v.tz)})` : s;
}

let allZones = null;
export function timeZones() {
  if (!allZones) {
    try { allZones = Intl.supportedValuesOf('timeZone'); } catch { allZones = ['UTC', 'Europe/Riga', 'Europe/Brussels']; }
  }
  return allZones;
}
