// The outbox: commands not yet acknowledged, persisted in localStorage so an edit made offline
// (or before a reload) is sent when the connection is back. Each command has a client-made id;
// the server answers a repeated id with the first answer, so resending is always safe.

const KEY = (plan) => `kartiba.outbox.${plan}`;

export class Outbox {
  constructor(plan) {
    this.plan = plan;
    this.entries = load(plan);   // [{command, sent:boolean}], oldest first
  }
  add(command) { this.entries.push({ command, sent: false }); this.save(); }
  /** Removes and returns the entry with that command id, or null. */
  settle(id) {
    const i = this.entries.findIndex((e) => e.command.id === id);
    if (i < 0) return null;
    const [e] = this.entries.splice(i, 1);
    this.save();
    return e;
  }
  markAllUnsent() { for (const e of this.entries) e.sent = false; }
  unsent() { return this.entries.filter((e) => !e.sent); }
  has(id) { return this.entries.some((e) => e.command.id === id); }
  get size() { return this.entries.length; }
  save() {
    try { localStorage.setItem(KEY(this.plan), JSON.stringify(this.entries.map((e) => e.command))); }
    catch (err) { console.error('outbox: cannot persist', err); }
  }
}

function load(plan) {
  try {
    const raw = JSON.parse(localStorage.getItem(KEY(plan)) || '[]');
    return Array.isArray(raw) ? raw.filter((c) => c && c.id && c.type).map((command) => ({ command, sent: false })) : [];
  } catch { return []; }
}
