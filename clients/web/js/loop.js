// The message loop: every frame from the server goes through this one switch, which only reads
// the frame and calls the app's method for it; the app owns every piece of state it changes.
// Unknown message types are loud (console.error + a notice) and never silently dropped.

/**
 * @param {import('./ui/app.js').App} app
 * @param {object} msg  a parsed server frame
 * @param {object|null} settled  the outbox entry an ack/rejected answers
 */
export function handleMessage(app, msg, settled) {
  switch (msg.type) {
    case 'welcome': return app.welcomed(msg);
    case 'snapshot': return app.snapshotReceived(msg);
    case 'event': return app.eventReceived(msg);
    case 'derived': return app.derivedReceived(msg);
    case 'ack': return app.ackReceived(msg, settled);
    case 'rejected': return app.rejectedReceived(msg, settled);
    case 'presence': return app.presenceReceived(msg);
    case 'lagging': return app.fellBehind(msg);
    case 'error': return app.serverError(msg.error || {});
    default: return app.unknownMessage(msg);
  }
}
