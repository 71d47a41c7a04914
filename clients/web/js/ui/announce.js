// Changes made by others, told to screen readers through one polite live region (#announcer),
// throttled: at most one sentence every THROTTLE_MS, summing up a burst of edits, so that a busy
// plan does not talk over the user. The app's own root stays aria-live="off": it re-renders.
import { t } from '../i18n.js';
import { findIn } from '../model.js';
import { describeEvent } from './describe.js';

const THROTTLE_MS = 4000;
const KINDS = { item: 'items', pledge: 'pledges', venue: 'venues', person: 'people', decision: 'decisions' };

export class Announcer {
  constructor(region) {
    this.region = region;
    this.queue = [];        // [{actor, text}] not yet said
    this.timer = null;
    this.lastSaid = 0;
  }

  /** An event someone else caused, after the model applied it. */
  event(ev, view) {
    if (!this.region) return;
    this.queue.push({ actor: ev.actor, text: sentence(ev, view) });
    if (this.timer) return;
    const wait = Math.max(0, this.lastSaid + THROTTLE_MS - Date.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  flush() {
    this.timer = null;
    const said = this.queue;
    this.queue = [];
    if (!said.length) return;
    this.lastSaid = Date.now();
    this.region.textContent = said.length === 1
      ? said[0].text
      : t('announce.many', { n: said.length, actors: [...new Set(said.map((x) => x.actor))].join(', ') });
  }

  stop() { clearTimeout(this.timer); this.timer = null; this.queue = []; }
}

/** "Jānis Bērziņš: “Bornem” — start: 10:00 → 10:30". */
function sentence(ev, view) {
  const d = ev.data || {};
  let name = '';
  for (const [k, coll] of Object.entries(KINDS)) {
    if (typeof d[k] !== 'string') continue;
    const e = findIn(view, coll, d[k]) || d.was || d.value || {};
    name = e.title || e.name || d[k];
    break;
  }
  const what = describeEvent(ev, view).slice(0, 2).join('; ');
  return t('announce.one', { actor: ev.actor, what: name ? `“${name}” — ${what}` : what });
}
