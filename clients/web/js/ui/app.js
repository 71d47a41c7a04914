// The app controller for one open plan: owns the model, the connection, the session's state
// (who I am, who is online, pending and refused commands, replay) and schedules rendering.
import { Connection } from '../connection.js';
import { PlanModel, normalise } from '../model.js';
import { handleMessage } from '../loop.js';
import { learnFromView } from '../sdg.js';
import { randomId } from '../dom.js';
import { entityKey } from '../entity.js';
import { t, setLang } from '../i18n.js';
import { renderShell } from './shell.js';
import { toast } from './toast.js';
import { Announcer } from './announce.js';

const REFRESH_DEBOUNCE_MS = 200;
const REFRESH_MAX_WAIT_MS = 800;

export class App {
  constructor({ api, planId, root, onSignOut, onPickPlan }) {
    Object.assign(this, { api, planId, root, onSignOut, onPickPlan });
    this.model = new PlanModel(planId);
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
    this.renderQueued = false;
    this.refreshTimer = null;
    this.refreshSince = null;
    this.langChosen = localStorage.getItem('kartiba.lang');
    this.conn = new Connection({
      token: api.token,
      plan: planId,
      revision: () => this.model.revision,
      onMessage: (msg, settled) => handleMessage(this, msg, settled),
      onStatus: (s) => { this.status = s; this.changed(); },
    });
  }

  start() {
    this.hashListener = () => this.changed();
    window.addEventListener('hashchange', this.hashListener);
    this.conn.start();
    this.changed();
  }

  stop() {
    window.removeEventListener('hashchange', this.hashListener);
    clearTimeout(this.refreshTimer);
    this.conn.stop();
    this.announcer.stop();
    if (this.editor) this.editor.close();
  }

  // --- what the UI asks ------------------------------------------------------------------

  get view() { return this.replay ? this.replay.view : this.model.view; }
  get route() { return (location.hash.replace('#', '') || 'agenda').split('/')[0]; }
  get canEdit() { return !!this.me && this.me.role !== 'viewer' && !this.replay; }

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

  commandAcked(command) { this.settleWaiting(command, null); this.scheduleRefresh(); this.changed(); }

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

  // --- from the message loop ---------------------------------------------------------------

  viewReplaced() {
    learnFromView(this.model.view);
    if (!this.langChosen) setLang(this.model.view.language || 'lv');
    this.changed();
  }

  eventApplied(ev) {
    if (!this.mine.has(ev.command)) this.announcer.event(ev, this.model.view);
    if (ev.type === 'PlanUpdated' && ev.data?.set?.language && !this.langChosen) setLang(ev.data.set.language);
    if (this.editor) this.editor.onEvent(ev);
    this.scheduleRefresh();
    this.changed();
  }

  /** Fetches the full view (conflicts, coverage, pledge board) shortly after events settle. */
  scheduleRefresh() {
    clearTimeout(this.refreshTimer);
    // Debounced, but never later than REFRESH_MAX_WAIT_MS after the first event waiting for it.
    this.refreshSince ??= Date.now();
    const wait = Math.max(0, Math.min(REFRESH_DEBOUNCE_MS, this.refreshSince + REFRESH_MAX_WAIT_MS - Date.now()));
    this.refreshTimer = setTimeout(async () => {
      this.refreshSince = null;
      try {
        const v = await this.api.view(this.planId);
        if (this.model.adoptView(v)) { learnFromView(v); this.changed(); }
        else this.scheduleRefresh();   // events raced ahead of the fetch: try again
      } catch (err) {
        console.error('refresh failed', err);
      }
    }, wait);
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
