// The client's copy of one plan's view: a snapshot at revision N, then each event after N
// applied in order (PROTOCOL.md, "Events": added / changed / removed shapes). Fields the
// client can derive cheaply (an item's UTC instants, duration, day; the days' item lists) are
// recomputed here; the rest (conflicts, SDG coverage, pledge board) comes with the stream's
// derived frames (derived.js).
import { localToUtcMs, isoUtc } from './time.js';

/** Event type → [collection in the view, id field in the event's data]. */
const ENTITY_EVENTS = {
  VenueAdded: ['venues', 'venue'], VenueUpdated: ['venues', 'venue'], VenueRemoved: ['venues', 'venue'],
  PersonAdded: ['people', 'person'], PersonUpdated: ['people', 'person'], PersonRemoved: ['people', 'person'],
  ItemScheduled: ['items', 'item'], ItemRescheduled: ['items', 'item'], ItemEdited: ['items', 'item'],
  ItemVenueSet: ['items', 'item'], ItemStatusSet: ['items', 'item'], ItemTagged: ['items', 'item'],
  ItemRemoved: ['items', 'item'],
  PledgeMade: ['pledges', 'pledge'], PledgeUpdated: ['pledges', 'pledge'], PledgeStatusSet: ['pledges', 'pledge'],
  PledgeProgressReported: ['pledges', 'pledge'], PledgeRemoved: ['pledges', 'pledge'],
  DecisionRecorded: ['decisions', 'decision'], DecisionRemoved: ['decisions', 'decision'],
};

const ITEM_DEFAULTS = { kind: 'meeting', venue: null, description: '', topics: [], status: 'confirmed', sdgs: [], track: '', speakers: [] };
const PLEDGE_DEFAULTS = { description: '', sdgs: [], targets: [], campaign: '', window: null, item: null, status: 'proposed', status_note: '', progress: 0, reports: [] };

export class PlanModel {
  constructor(planId) {
    this.planId = planId;
    this.view = null;
    this.revision = null;   // null until the first snapshot
  }

  get loaded() { return this.view !== null; }

  /** A snapshot (WebSocket) or a fetched view: replaces everything. */
  load(view) {
    this.view = normalise(view);
    this.revision = view.revision;
  }

  /** A view fetched over HTTP: taken when it is not older than what we have. */
  adoptView(view) {
    if (this.revision !== null && view.revision < this.revision) return false;
    this.load(view);
    return true;
  }

  /**
   * Applies one event. Returns 'applied', 'duplicate' (already in the state), 'gap' (an event is
   * missing before it) or 'unknown' (a shape this client does not understand: resync).
   */
  apply(ev) {
    if (!this.view) return 'gap';
    if (ev.revision <= this.revision) return 'duplicate';
    if (ev.revision !== this.revision + 1) return 'gap';
    const ok = applyEvent(this.view, ev);
    if (!ok) return 'unknown';
    this.revision = ev.revision;
    this.view.revision = ev.revision;
    this.view.updated_at = ev.at;
    derive(this.view);
    return 'applied';
  }

  find(collection, id) { return this.view ? findIn(this.view, collection, id) : null; }
}

const collators = new Map();

/** Compares names as the plan's language sorts them (the server's order: PROTOCOL.md, "The view"). */
export function collatorFor(language) {
  const lang = language === 'en' ? 'en' : 'lv';
  if (!collators.has(lang)) collators.set(lang, new Intl.Collator(lang));
  return collators.get(lang);
}

export function findIn(view, collection, id) {
  return (view[collection] || []).find((x) => x.id === id) || null;
}

/** Fills what older or partial views may lack, so rendering never meets undefined lists. */
export function normalise(view) {
  const v = structuredClone(view);
  for (const k of ['days', 'items', 'venues', 'people', 'pledges', 'decisions', 'releases', 'conflicts', 'sdg_coverage']) {
    if (!Array.isArray(v[k])) v[k] = [];
  }
  if (!Array.isArray(v.priority_sdgs)) v.priority_sdgs = [];
  for (const it of v.items) fillItem(v, it);
  for (const p of v.pledges) Object.assign(p, { ...PLEDGE_DEFAULTS, ...p });
  if (!v.pledge_board) v.pledge_board = null;
  return v;
}

function applyEvent(view, ev) {
  const d = ev.data || {};
  switch (ev.type) {
    case 'PlanCreated':
      Object.assign(view, d.value || {});
      return true;
    case 'PlanUpdated':
      if (!d.set) return false;
      Object.assign(view, d.set);
      return true;
    case 'DaySet': {
      if (!d.date) return false;
      let day = view.days.find((x) => x.date === d.date);
      if (!day) { day = { date: d.date, title: null, place: null, items: [] }; view.days.push(day); }
      Object.assign(day, d.set || {});
      return true;
    }
    case 'SpeakerAssigned':
    case 'SpeakerUnassigned': {
      const it = findIn(view, 'items', d.item);
      if (!it) return false;
      const rest = (it.speakers || []).filter((p) => p !== d.person);
      it.speakers = ev.type === 'SpeakerAssigned' ? [...rest, d.person] : rest;
      return true;
    }
    case 'Withheld':   // a public viewer's place-holder for an event it may not see
      return true;
    case 'ReleasePublished':
      view.releases.push({ name: d.name, revision: ev.revision, at: ev.at, actor: ev.actor, note: d.note || '' });
      return true;
    default: {
      const spec = ENTITY_EVENTS[ev.type];
      if (!spec) return false;
      return applyEntity(view, spec[0], d[spec[1]], d, ev);
    }
  }
}

/** The generic part: added (value) / changed (set, was) / removed (was only). */
function applyEntity(view, collection, id, d, ev) {
  if (typeof id !== 'string') return false;
  const list = view[collection];
  const i = list.findIndex((x) => x.id === id);
  if (d.value && typeof d.value === 'object') {
    const entity = { id, ...structuredClone(d.value) };
    if (collection === 'items') fillItem(view, entity);
    if (collection === 'pledges') Object.assign(entity, { ...PLEDGE_DEFAULTS, ...entity });
    if (collection === 'decisions') Object.assign(entity, { revision: ev.revision, at: ev.at, actor: ev.actor });
    if (i >= 0) list[i] = entity; else list.push(entity);
    // The server lists venues, people and pledges by id (bytes; ids are ASCII), decisions by revision.
    if (collection !== 'decisions' && collection !== 'items') list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return true;
  }
  if (d.set && typeof d.set === 'object') {
    if (i < 0) return false;
    Object.assign(list[i], structuredClone(d.set));
    if (ev.type === 'PledgeProgressReported') {
      const percent = d.set.progress ?? d.percent;
      (list[i].reports ||= []).push({ percent, note: d.note ?? d.set.note ?? '', at: ev.at, actor: ev.actor, revision: ev.revision });
    }
    return true;
  }
  if (d.was && typeof d.was === 'object') {
    if (i >= 0) list.splice(i, 1);
    return true;
  }
  return false;
}

function fillItem(view, it) {
  for (const [k, v] of Object.entries(ITEM_DEFAULTS)) if (it[k] === undefined) it[k] = structuredClone(v);
  deriveItem(view, it);
}

function deriveItem(view, it) {
  const tz = view.timezone || 'UTC';
  for (const k of ['start', 'end']) {
    if (it[k] && !it[k].tz) it[k] = { ...it[k], tz };
  }
  if (!it.start || !it.end) return;
  try {
    const s = localToUtcMs(it.start.local, it.start.tz), e = localToUtcMs(it.end.local, it.end.tz);
    it.start_utc = isoUtc(s);
    it.end_utc = isoUtc(e);
    it.duration_min = Math.round((e - s) / 60000);
  } catch (err) {
    console.error('cannot derive times of', it.id, err);
  }
  it.day = it.start.local.slice(0, 10);
}

/** After an event: item instants, the order of items, the days' item lists, venues and people by name. */
function derive(view) {
  const collator = collatorFor(view.language);
  const byName = (a, b) => collator.compare(a.name || '', b.name || '') || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  view.venues.sort(byName);
  view.people.sort(byName);
  for (const it of view.items) deriveItem(view, it);
  view.items.sort((a, b) => (a.start_utc || '').localeCompare(b.start_utc || '')
    || (a.end_utc || '').localeCompare(b.end_utc || '') || a.id.localeCompare(b.id));
  // As the server: every date of the plan, every day given a title or place, every day with an item.
  const byDay = new Map(planDates(view.start_date, view.end_date).map((date) => [date, { date, title: null, place: null, items: [] }]));
  for (const d of view.days) {
    if (byDay.has(d.date) || d.title != null || d.place != null) byDay.set(d.date, { ...d, items: [] });
  }
  for (const it of view.items) {
    if (!byDay.has(it.day)) byDay.set(it.day, { date: it.day, title: null, place: null, items: [] });
    byDay.get(it.day).items.push(it.id);
  }
  view.days = [...byDay.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** "YYYY-MM-DD" from start to end (at most 1,000 days, as the server). */
function planDates(start, end) {
  if (!start || !end || start > end) return [];
  const out = [];
  for (let t = Date.parse(`${start}T00:00:00Z`), n = 0; t <= Date.parse(`${end}T00:00:00Z`) && n < 1000; t += 86400000, n += 1) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}
