// The WebSocket wiring, apart from any rendering: connect, authenticate, subscribe (resuming
// with `from` after a drop), reconnect with backoff, and send the outbox in order once the
// session is ready. Every message from the server is handed to onMessage(msg, settled), where
// `settled` is the outbox entry an ack/rejected answers (or null).
import { Outbox } from './outbox.js';

const MIN_DELAY = 500, MAX_DELAY = 15000;

export class Connection {
  /**
   * @param {object} o
   * @param {string|null} o.token
   * @param {string|null} [o.link]  a public dashboard link's secret, instead of a token
   * @param {string|null} o.plan  (a link session learns it from the welcome)
   * @param {() => number|null} o.revision  the revision the client's state is at (null: none yet)
   * @param {(msg: object, settled: object|null) => void} o.onMessage
   * @param {(status: string) => void} o.onStatus  connecting | online | offline | unauthorized
   */
  constructor({ token, link = null, plan, revision, onMessage, onStatus }) {
    Object.assign(this, { token, link, plan, revision, onMessage, onStatus });
    this.outbox = new Outbox(plan || 'public-link');   // a link session never sends commands
    this.ws = null;
    this.ready = false;          // welcomed and subscribed: commands may go out
    this.stopped = false;
    this.attempt = 0;
    this.timer = null;
    this.retryAt = null;
    this.editing = null;
    this.authFailed = false;
    this.status = 'connecting';
    this.onOffline = () => { if (this.ws) this.ws.close(); };
    this.onOnline = () => this.reconnectNow();
  }

  start() {
    window.addEventListener('offline', this.onOffline);
    window.addEventListener('online', this.onOnline);
    this.connect();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener('offline', this.onOffline);
    window.removeEventListener('online', this.onOnline);
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(1000);
  }

  /** Queues a command (persisted) and sends it now if the session is ready. */
  command(command) {
    this.outbox.add(command);
    this.flush();
  }

  /** Tells the others which item this user is editing (null: none); repeated after reconnects. */
  presence(editing) {
    this.editing = editing;
    if (this.ready) this.send({ type: 'presence', plan: this.plan, editing });
  }

  /** Asks for the plan again: a fresh snapshot (fresh=true) or the events after our revision. */
  resync(fresh) {
    if (!this.ready) return;
    this.send({ type: 'unsubscribe', plan: this.plan });
    this.subscribe(fresh ? null : this.revision());
  }

  reconnectNow() {
    if (this.stopped || this.authFailed) return;
    clearTimeout(this.timer);
    this.attempt = 0;
    if (!this.ws) this.connect();
  }

  // --- internals -------------------------------------------------------------------------

  connect() {
    this.setStatus('connecting');
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    let ws;
    try { ws = new WebSocket(url); } catch (err) { console.error('ws: cannot open', err); this.scheduleReconnect(); return; }
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify(this.link ? { type: 'auth', link: this.link } : { type: 'auth', token: this.token }));
    ws.onmessage = (e) => this.receive(e.data);
    ws.onclose = (e) => this.closed(ws, e);
    ws.onerror = () => {};   // onclose follows and does the work
  }

  receive(text) {
    let msg;
    try { msg = JSON.parse(text); } catch { console.error('ws: frame is not JSON', text); return; }
    if (!msg || typeof msg.type !== 'string') { console.error('ws: frame without type', msg); return; }
    let settled = null;
    if (msg.type === 'welcome') {
      this.attempt = 0;
      this.ready = true;
      if (this.link && msg.plan) this.plan = msg.plan;
      this.subscribe(this.revision());
      if (this.editing) this.send({ type: 'presence', plan: this.plan, editing: this.editing });
      this.outbox.markAllUnsent();
      this.setStatus('online');
    } else if (msg.type === 'ack' || msg.type === 'rejected') {
      settled = msg.id ? this.outbox.settle(msg.id) : null;
    } else if (msg.type === 'error' && msg.error && msg.error.code === 'unauthorized') {
      // Unknown or revoked token (or link): the server closes next; retrying cannot help.
      this.authFailed = true;
      this.ready = false;
      this.setStatus('unauthorized');
    }
    this.onMessage(msg, settled);
    if (msg.type === 'welcome') this.flush();
  }

  subscribe(from) {
    const m = { type: 'subscribe', plan: this.plan };
    if (from !== null && from !== undefined) m.from = from;
    this.send(m);
  }

  flush() {
    if (!this.ready) return;
    for (const e of this.outbox.unsent()) {
      if (!this.send({ type: 'command', plan: this.plan, command: e.command })) return;
      e.sent = true;
    }
  }

  send(msg) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  closed(ws, event) {
    if (this.ws !== ws) return;
    this.ws = null;
    this.ready = false;
    this.outbox.markAllUnsent();
    if (this.stopped) return;
    if (this.authFailed) {
      this.setStatus('unauthorized');
      return;
    }
    // Any other close (a dropped network, a server restart, "write queue overflow" when we fell
    // behind) is retried with backoff; subscribe then resumes with `from`.
    this.setStatus('offline');
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    const base = Math.min(MAX_DELAY, MIN_DELAY * 2 ** this.attempt);
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    this.attempt += 1;
    this.retryAt = Date.now() + delay;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.retryAt = null; if (!this.stopped && !this.ws) this.connect(); }, delay);
    this.onStatus(this.status);
  }

  setStatus(s) {
    this.status = s;
    this.onStatus(s);
  }
}
