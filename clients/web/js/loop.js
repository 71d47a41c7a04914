// The message loop: every frame from the server goes through this one switch.
// Unknown message types are loud (console.error + a notice) and never silently dropped.
import { t } from './i18n.js';

/**
 * @param {import('./ui/app.js').App} app
 * @param {object} msg  a parsed server frame
 * @param {object|null} settled  the outbox entry an ack/rejected answers
 */
export function handleMessage(app, msg, settled) {
  switch (msg.type) {
    case 'welcome':
      app.me = { actor: msg.actor, role: msg.role };
      app.changed();
      break;

    case 'snapshot':
      if (msg.plan !== app.planId) break;
      app.model.load(msg.view);
      app.viewReplaced();
      break;

    case 'event': {
      if (msg.plan !== app.planId) break;
      const result = app.model.apply(msg.event);
      switch (result) {
        case 'applied': app.eventApplied(msg.event); break;
        case 'duplicate': break;
        case 'gap': app.conn.resync(false); break;
        case 'unknown':
          console.error('kartiba: event this client cannot apply; taking a fresh snapshot', msg.event);
          app.conn.resync(true);
          break;
        default: throw new Error(`model.apply returned ${result}`);
      }
      break;
    }

    case 'ack':
      if (settled) app.commandAcked(settled.command, msg);
      else app.changed();
      break;

    case 'rejected':
      if (settled) app.commandRejected(settled.command, msg.error || {});
      else if (msg.error) app.toast(t('error.server', { msg: msg.error.message || msg.error.code }), 'error');
      break;

    case 'presence':
      if (msg.plan !== app.planId) break;
      app.presence = Array.isArray(msg.users) ? msg.users : [];
      app.changed();
      break;

    case 'lagging':
      // The server dropped us behind; resume from where our state is.
      app.conn.resync(false);
      break;

    case 'error': {
      const e = msg.error || {};
      console.error('kartiba: server error', e);
      if (!app.model.loaded && e.code !== 'unauthorized') app.loadError = e.message || e.code;   // e.g. no such plan
      if (e.code !== 'unauthorized') app.toast(t('error.server', { msg: e.message || e.code }), 'error');
      app.changed();
      break;
    }

    default:
      console.error('kartiba: unknown message type', msg.type, msg);
      app.toast(t('error.unknownMessage'), 'error');
      app.conn.resync(true);
  }
}
