// The app controller for one open plan: owns the model, the connection, the session's state
// (who I am, who is online, pending and refused commands, replay) and schedules rendering.
import { Connection } from '../connection.js';
import { PlanModel, normalise } from '../model.js';
import { handleMessage } from '../loop.js';
import { applyDerived, derivedParts } from '../derived.js';
import { learnFromView } from '../sdg.js';
import { randomId } from '../dom.js';
import { entityKey } from '../entity.js';
import { t, setLang } from '../i18n.js';
import { renderShell } from './shell.js';
import { toast } from './toast.js';
import { Announcer } from './announce.js';

export class App {
  /**
   * @param {object} o
   * @param {object|null} o.api  the HTTP client (null for a public link viewer)
   * @param {string|null} o.planId  the plan (a link viewer learns it from the welcome)
   * @param {string|null} [o.link]  a public dashboard link's secret: read-only, no token
   * @param {boolean} [o.embed]  the link's embed mode: the dashboard without the app's chrome
   */
  constructor({ api, planId, root, onSignOut, onPickPlan, link = null, embed = false }) {
    this.api = api;
    this.planId = planId;
    this.root = root;
    this.onSignOut = onSignOut;
    this.onPickPlan = onPickPlan;
    this.link = link;
    this.embed = embed;
    this.model = new PlanModel(planId);
    this.derivedRevision = null;    // the revision the view's derived parts are at (derived frames)
    this.derived = null;            // those parts as the server sent them: what its patches apply to
    this.me = null;                 // {actor, role} from welcome
    this.presence = [];
    this.status = 'connecting';
    this.refused = [];              // [{command, error}] rejected commands the user has not resolved
    this.replay = null;             // {rev, view|null, error} while looking at the past
    this.loadError = null;          // why the plan could not be opened (before any snapshot)
    this.editor = null;             // the open item editor, told about live events
    this.tabState = {};             // per-tab UI state (filters, selection) that survives renders
    this.mine = new Set();          // ids of the commands this page sent
    this.waiting = new Map();       // command id → resolve, for sendAndWait
    this.announcer = new Announcer(document.getElementById('announcer'));
    this.slots = null;              // the page's parts, made by the first render (shell.js)
    this.replayBar = null;          // the replay bar, made once (history.js)
    this.renderQueued = false;
    this.langChosen = localStorage.getItem('kartiba.lang');
    this.hashListener = () => this.changed();
    this.conn = new Connection({
      token: api ? api.token : null,
      link,
      plan: planId,
      revision: () => this.model.revision,
      onMessage: (msg, settled) => handleMessage(this, msg, settled),
      onStatus: (s) => { this.status = s; this.changed(); },
    });
  }

  start() {
    window.addEventListener('hashchange', this.hashListener);
    this.conn.start();
    this.changed();
  }

  stop() {
    window.removeEventListener('hashchange', this.hashListener);
    this.conn.stop();
    this.announcer.stop();
    if (this.editor) this.editor.close();
  }

  // --- what the UI asks ------------------------------------------------------------------

  get view() { return this.replay ? this.replay.view : this.model.view; }
  get route() { return (location.hash.replace('#', '') || 'agenda').split('/')[0]; }
  get canEdit() { return !!this.me && this.me.role !== 'viewer' && this.me.role !== 'public' && !this.replay; }
  /** A public link viewer: no token, no HTTP API, read-only. */
  get isPublic() { return this.link !== null; }

  /** Commands waiting in the outbox for one entity ("item:bornem"). */
  pendingFor(key) { return this.conn.outbox.entries.filter((e) => entityKey(e.command) === key); }
  refusedFor(key) { return this.refused.filter((r) => entityKey(r.command) === key); }
  editingOthers(itemId) {
    return this.presence.filter((u) => u.editing === itemId && !(this.me && u.actor === this.me.actor && this.editor?.itemId === itemId));
  }

  // --- commands --------------------------------------------------------------------------

  /** Sends a command with base = `base` (default: the revision the view is at now). */
  send(type, data, { base = this.model.revision, reason = '' } = {}) {
    const command = { id: randomId('c-'), type, data };
    if (base !== null && base !== undefined) command.base = base;
    if (reason) command.reason = reason;
    this.mine.add(command.id);
    this.conn.command(command);
    if (this.status !== 'online') toast(t('toast.queued'));
    this.changed();
    return command;
  }

  /**
   * Sends a command and resolves when the server answers: null (done) or the error object. For
   * dialogs that explain a refusal in place (a venue still in use, a revert with later changes
   * in the way) instead of leaving it to the conflict cards.
   */
  sendAndWait(type, data, opts) {
    return new Promise((resolve) => {
      const command = this.send(type, data, opts);
      this.waiting.set(command.id, resolve);
    });
  }

  /** Hands the answer to a sendAndWait caller; false when nobody waits for this command. */
  settleWaiting(command, error) {
    const resolve = this.waiting.get(command.id);
    if (!resolve) return false;
    this.waiting.delete(command.id);
    resolve(error);
    return true;
  }

  commandAcked(command) { this.settleWaiting(command, null); this.changed(); }

  commandRejected(command, error) {
    if (this.settleWaiting(command, error)) { this.changed(); return; }
    this.refused.push({ command, error });
    if (error.code === 'conflict') toast(t('toast.conflict'), 'warn');
    else toast(t('error.server', { msg: error.message || error.code }), 'error');
    this.changed();
  }

  /** Conflict resolution: keep the other person's version (drop mine). */
  takeTheirs(commandId) {
    this.refused = this.refused.filter((r) => r.command.id !== commandId);
    this.changed();
  }

  /** Conflict resolution: send my change again, based on the state I now see. */
  applyMineAgain(commandId) {
    const r = this.refused.find((x) => x.command.id === commandId);
    if (!r) return;
    this.refused = this.refused.filter((x) => x !== r);
    this.send(r.command.type, r.command.data, { reason: r.command.reason || '' });
  }

  // --- from the message loop (loop.js) ----------------------------------------------------

  welcomed(msg) {
    this.me = { actor: msg.actor, role: msg.role };
    // A link viewer learns its plan here, before it subscribes.
    if (this.isPublic && msg.plan && !this.planId) {
      this.planId = msg.plan;
      this.model = new PlanModel(msg.plan);
    }
    this.changed();
  }

  snapshotReceived(msg) {
    if (msg.plan !== this.planId) return;
    this.model.load(msg.view);
    this.derivedRevision = msg.revision;   // a view holds its own derived parts
    this.derived = derivedParts(this.model.view);
    learnFromView(this.model.view);
    if (!this.langChosen) setLang(this.model.view.language || 'lv');
    this.changed();
  }

  eventReceived(msg) {
    if (msg.plan !== this.planId) return;
    const ev = msg.event;
    const result = this.model.apply(ev);
    switch (result) {
      case 'applied':
        if (!this.mine.has(ev.command)) this.announcer.event(ev, this.model.view);
        if (ev.type === 'PlanUpdated' && ev.data?.set?.language && !this.langChosen) setLang(ev.data.set.language);
        if (this.editor) this.editor.onEvent(ev);
        this.changed();
        break;
      case 'duplicate': break;
      case 'gap': this.conn.resync(false); break;
      case 'unknown':
        console.error('kartiba: event this client cannot apply; taking a fresh snapshot', ev);
        this.conn.resync(true);
        break;
      default: throw new Error(`model.apply returned ${result}`);
    }
  }

  /** Conflicts, coverage, the pledge board and the days, as the server derived them. */
  derivedReceived(msg) {
    if (msg.plan !== this.planId || !this.model.loaded) return;
    if (this.derivedRevision !== null && msg.revision <= this.derivedRevision) return;
    const at = applyDerived(this.derived, this.derivedRevision, msg);
    if (at === null) {
      // A delta against parts this page does not hold: start over from a snapshot (over the
      // WebSocket; still no HTTP request).
      this.conn.resync(true);
      return;
    }
    this.derivedRevision = at;
    Object.assign(this.model.view, derivedParts(this.derived));
    learnFromView(this.model.view);
    this.changed();
  }

  ackReceived(msg, settled) {
    if (settled) this.commandAcked(settled.command, msg);
    else this.changed();
  }

  rejectedReceived(msg, settled) {
    if (settled) this.commandRejected(settled.command, msg.error || {});
    else if (msg.error) this.toast(t('error.server', { msg: msg.error.message || msg.error.code }), 'error');
  }

  presenceReceived(msg) {
    if (msg.plan !== this.planId) return;
    this.presence = Array.isArray(msg.users) ? msg.users : [];
    this.changed();
  }

  /** The server dropped us behind; resume from where our state is. */
  fellBehind() { this.conn.resync(false); }

  serverError(e) {
    console.error('kartiba: server error', e);
    if (!this.model.loaded && e.code !== 'unauthorized') this.loadError = e.message || e.code;   // e.g. no such plan
    if (e.code !== 'unauthorized') this.toast(t('error.server', { msg: e.message || e.code }), 'error');
    this.changed();
  }

  unknownMessage(msg) {
    console.error('kartiba: unknown message type', msg.type, msg);
    this.toast(t('error.unknownMessage'), 'error');
    this.conn.resync(true);
  }

  // --- replay ------------------------------------------------------------------------------

  async showRevision(rev) {
    const live = this.model.revision;
    if (!rev || rev >= live) { this.backToLive(); return; }
    this.replay = { rev, view: this.replay?.view || this.model.view, loading: true };
    this.changed();
    try {
      const v = await this.api.view(this.planId, rev);
      if (this.replay && this.replay.rev === rev) { this.replay = { rev, view: normalise(v), loading: false }; this.changed(); }
    } catch (err) {
      if (this.replay && this.replay.rev === rev) { this.replay.error = err.message; this.replay.loading = false; this.changed(); }
    }
  }

  backToLive() { this.replay = null; this.changed(); }

  // --- UI plumbing ---------------------------------------------------------------------------

  setLanguage(l) {
    localStorage.setItem('kartiba.lang', l);
    this.langChosen = l;
    setLang(l);
    this.changed();
  }

  toast(text, kind) { toast(text, kind); }

  changed() {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      renderShell(this);
    });
  }
}
