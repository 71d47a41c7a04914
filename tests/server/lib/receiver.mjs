// A real HTTP(S) webhook receiver on 127.0.0.1 for the webhook tests: records every request
// (headers, raw body, parsed JSON, arrival time) and answers with what `respond` decides.
// `until(pred)` waits for a condition on the requests, woken by each arrival (no polling sleeps).
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';

export async function startReceiver({ respond = () => 200, tls } = {}) {
  const requests = [];
  const waiters = new Set();
  const wake = () => { for (const w of [...waiters]) w(); };
  const receiver = {
    requests,
    respond,
    url: '',
    // Resolves with the value of pred(requests) once it is truthy; rejects after timeoutMs.
    until(pred, what = 'condition', timeoutMs = 30000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const v = pred(requests);
          if (v) { waiters.delete(check); clearTimeout(timer); resolve(v); }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`receiver: timed out waiting for ${what}; got ${requests.length} requests: ` +
            JSON.stringify(requests.map((r) => [r.revision, r.headers['x-kartiba-attempt'], r.status]))));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    revisions() { return requests.map((r) => r.revision); },
    close() { return new Promise((res) => { server.closeAllConnections?.(); server.close(() => res()); }); },
  };
  const handler = (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks);
      let json;
      try { json = JSON.parse(raw.toString('utf8')); } catch { json = undefined; }
      const entry = {
        method: req.method, url: req.url, headers: req.headers, raw, json,
        revision: json?.event?.revision, at: Date.now(), status: undefined,
      };
      requests.push(entry);
      wake();
      // `respond` returns a status, or {status, headers}.
      const answer = await receiver.respond(entry, requests);
      const status = typeof answer === 'number' ? answer : answer.status;
      entry.status = status;
      res.writeHead(status, { 'content-type': 'text/plain', ...(answer.headers || {}) });
      res.end('ok');
      wake();
    });
  };
  const server = tls ? createHttpsServer(tls, handler) : createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  receiver.port = server.address().port;
  receiver.url = `${tls ? 'https' : 'http'}://127.0.0.1:${receiver.port}/hook`;
  return receiver;
}

export function sign(secret, raw) {
  return 'sha256=' + createHmac('sha256', secret).update(raw).digest('hex');
}

// A promise with its resolve function outside: a receiver's answer held until released.
export function gate() {
  let open;
  const p = new Promise((res) => { open = res; });
  return { wait: p, open };
}
