#!/usr/bin/env node
// A relay from kartiba webhooks to a chat tool's incoming webhook (docs/WEBHOOKS.md, "Chat tools").
//
// Receives kartiba's POST, checks X-Kartiba-Signature with KARTIBA_WEBHOOK_SECRET, turns the
// event into one line of text and POSTs it to CHAT_URL in the shape CHAT_KIND expects
// (slack — also Mattermost —, teams, discord). Answers kartiba 2xx only once the chat tool has
// accepted the message, so kartiba's retries cover the chat tool's outages; repeats (the same
// X-Kartiba-Delivery) are acknowledged without posting again.
//
//   KARTIBA_WEBHOOK_SECRET=… CHAT_URL=https://hooks.slack.com/services/… CHAT_KIND=slack \
//   [PLAN_URL=https://kartiba.example.org/?plan=p] node tools/webhook-relay.mjs [--port 8787] [--host 127.0.0.1]
//
// Node ≥ 20, no packages.
import { createServer } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';

const secret = process.env.KARTIBA_WEBHOOK_SECRET;
const chatUrl = process.env.CHAT_URL;
const kind = process.env.CHAT_KIND || 'slack';
const planUrl = process.env.PLAN_URL || '';
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const port = Number(arg('--port', '8787'));
const host = arg('--host', '127.0.0.1');
if (!secret || !chatUrl || !['slack', 'teams', 'discord'].includes(kind)) {
  console.error('webhook-relay: set KARTIBA_WEBHOOK_SECRET, CHAT_URL and CHAT_KIND=slack|teams|discord');
  process.exit(2);
}

function signatureOk(raw, given) {
  const expected = Buffer.from('sha256=' + createHmac('sha256', secret).update(raw).digest('hex'));
  const got = Buffer.from(given || '');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

const clock = (t) => (t && typeof t.local === 'string' ? t.local.replace('T', ' ') : '');

// One line about the event; the data fields are those of docs/PROTOCOL.md.
function describe(plan, e) {
  const d = e.data || {};
  const what = d.title || d.item || d.venue || d.person || d.pledge || d.decision || '';
  const set = d.set || {};
  let text;
  switch (e.type) {
    case 'ItemScheduled': text = `New: ${what} ${clock(d.start)}`; break;
    case 'ItemRescheduled': text = `Moved: ${what} → ${clock(set.start)}${set.end ? ' – ' + clock(set.end) : ''}`; break;
    case 'ItemStatusSet': text = `${what} is now ${set.status ?? d.status ?? ''}`; break;
    case 'ItemRemoved': text = `Removed: ${what}`; break;
    default: text = `${e.type}${what ? ': ' + what : ''}`;
  }
  const reason = e.reason ? ` (${e.reason})` : '';
  return `[${plan} r${e.revision}] ${text}${reason} — ${e.actor}${planUrl ? ' ' + planUrl : ''}`;
}

function chatBody(text) {
  if (kind === 'discord') return { content: text };
  if (kind === 'teams') {
    return {
      type: 'message',
      attachments: [{
        contentType: 'application/vnd.microsoft.card.adaptive',
        content: { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text, wrap: true }] },
      }],
    };
  }
  return { text };  // Slack, Mattermost
}

const seen = new Set();  // delivery ids already posted (bounded below)

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const raw = Buffer.concat(chunks);
    if (req.method !== 'POST' || !signatureOk(raw, req.headers['x-kartiba-signature'])) {
      res.writeHead(401).end('bad signature');
      return;
    }
    const delivery = String(req.headers['x-kartiba-delivery'] || '');
    if (seen.has(delivery)) {
      res.writeHead(200).end('repeat');
      return;
    }
    let body;
    try { body = JSON.parse(raw.toString('utf8')); } catch { res.writeHead(400).end('not JSON'); return; }
    try {
      const answer = await fetch(chatUrl, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify(chatBody(describe(body.plan, body.event))),
        redirect: 'manual',
      });
      if (!answer.ok) throw new Error(`chat tool answered ${answer.status}`);
      seen.add(delivery);
      if (seen.size > 10000) seen.delete(seen.values().next().value);
      res.writeHead(204).end();
    } catch (err) {
      // Not acknowledged: kartiba retries with backoff.
      res.writeHead(502).end(String(err.message || err));
    }
  });
});
server.listen(port, host, () => {
  console.log(`webhook-relay listening on http://${host}:${server.address().port}/ → ${kind}`);
});
