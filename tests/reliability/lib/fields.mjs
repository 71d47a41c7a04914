// What an event or a command changes, field by field, for checking conflicts against the log
// (docs/PROTOCOL.md, "Conflicts"): each field of each entity, speakers per person, a removal
// counting as a change of every field.

const KIND_OF = {
  PlanCreated: 'plan', PlanUpdated: 'plan', DaySet: 'day',
  VenueAdded: 'venue', VenueUpdated: 'venue', VenueRemoved: 'venue',
  PersonAdded: 'person', PersonUpdated: 'person', PersonRemoved: 'person',
  ItemScheduled: 'item', ItemRescheduled: 'item', ItemEdited: 'item', ItemVenueSet: 'item',
  ItemStatusSet: 'item', ItemTagged: 'item', ItemRemoved: 'item', SpeakerAssigned: 'item', SpeakerUnassigned: 'item',
  PledgeMade: 'pledge', PledgeUpdated: 'pledge', PledgeStatusSet: 'pledge', PledgeProgressReported: 'pledge',
  DecisionRecorded: 'decision', ReleasePublished: 'release',
};
const ID_KEY = { venue: 'venue', person: 'person', item: 'item', pledge: 'pledge', decision: 'decision', day: 'date', plan: null };

// {kind, id, shape: 'added'|'changed'|'removed'|'other', fields: [..]} of a log event.
export function touches(event) {
  const kind = KIND_OF[event.type] || 'other';
  const key = ID_KEY[kind];
  const id = key ? event.data[key] : '';
  if (event.type.endsWith('Removed')) return { kind, id, shape: 'removed', fields: [] };
  if (event.type === 'SpeakerAssigned' || event.type === 'SpeakerUnassigned') {
    return { kind, id, shape: 'changed', fields: [`speakers/${event.data.person}`] };
  }
  if (event.data && event.data.set) return { kind, id, shape: 'changed', fields: Object.keys(event.data.set) };
  if (event.data && event.data.value) {
    const fields = Object.keys(event.data.value);
    for (const p of event.data.value.speakers || []) fields.push(`speakers/${p}`);
    return { kind, id, shape: 'added', fields };
  }
  return { kind, id, shape: 'other', fields: [] };
}

// True when `event` changed one of `fields` of entity kind/id (a removal changes them all);
// with fields === null, when it touched the entity at all.
export function changesAny(event, kind, id, fields) {
  const t = touches(event);
  if (t.kind !== kind || t.id !== id) return false;
  if (t.shape === 'removed') return true;
  if (fields === null) return t.shape !== 'other';
  // A new entity with that id sets the fields it is created with (speakers per person).
  return t.fields.some((f) => fields.includes(f));
}

// The entity and fields a command means to change: {kind, id, fields} (fields null for a
// removal: it conflicts with any change of the entity).
export function commandTarget(cmd) {
  const d = cmd.data || {};
  switch (cmd.type) {
    case 'update-plan': return { kind: 'plan', id: '', fields: Object.keys(d) };
    case 'set-day': return { kind: 'day', id: d.date, fields: Object.keys(d).filter((k) => k !== 'date') };
    case 'update-venue': return { kind: 'venue', id: d.venue, fields: Object.keys(d).filter((k) => k !== 'venue') };
    case 'update-person': return { kind: 'person', id: d.person, fields: Object.keys(d).filter((k) => k !== 'person') };
    case 'remove-venue': return { kind: 'venue', id: d.venue, fields: null };
    case 'remove-person': return { kind: 'person', id: d.person, fields: null };
    case 'remove-item': return { kind: 'item', id: d.item, fields: null };
    case 'reschedule-item': case 'edit-item': case 'set-item-venue': case 'set-item-status': case 'tag-item':
      return { kind: 'item', id: d.item, fields: Object.keys(d).filter((k) => k !== 'item') };
    case 'assign-speaker': case 'unassign-speaker':
      return { kind: 'item', id: d.item, fields: [`speakers/${d.person}`] };
    case 'update-pledge': return { kind: 'pledge', id: d.pledge, fields: Object.keys(d).filter((k) => k !== 'pledge') };
    case 'set-pledge-status': {
      const fields = ['status', 'status_note'];
      if (d.status === 'fulfilled') fields.push('progress');
      return { kind: 'pledge', id: d.pledge, fields };
    }
    case 'report-pledge-progress': return { kind: 'pledge', id: d.pledge, fields: ['progress'] };
    default: return null;
  }
}
