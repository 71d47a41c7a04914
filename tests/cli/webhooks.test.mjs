// kartiba webhook add | list | deliveries | remove | enable against a real server and a real
// receiver on loopback (so the server runs with --webhooks-allow-private).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { startServer, kartiba } from './lib/kartiba.mjs';

let server;
let receiver;
const received = [];
let wake = () => {};
before(async () => {
  server = await startServer({ demo: true, extra: ['--webhooks-allow-private'] });
  receiver = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, raw: Buffer.concat(chunks) });
      res.writeHead(200).end();
      wake();
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
});
after(async () => {
  receiver?.close();
  await server?.stop();
});

function receivedOne(type) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} delivery`)), 30000);
    wake = () => {
      const hit = received.find((r) => r.headers['x-kartiba-event'] === type);
      if (hit) { clearTimeout(timer); resolve(hit); }
    };
    wake();
  });
}

test('add, list, deliveries and remove a webhook from the command line', async () => {
  const url = `http://127.0.0.1:${receiver.address().port}/in`;
  const added = await kartiba(['webhook', 'add', 'brussels-2024', url, '--events', 'ItemStatusSet', '--json'], { server });
  assert.equal(added.code, 0, added.stderr);
  const { id, secret } = JSON.parse(added.stdout);
  assert.match(id, /^wh-/);

  const sent = await kartiba(['status', 'brussels-2024', 'bornem', 'confirmed', '--reason', 'Apstiprināts'], { server });
  assert.equal(sent.code, 0, sent.stderr);
  const hit = await receivedOne('ItemStatusSet');
  assert.equal(hit.headers['x-kartiba-signature'], 'sha256=' + createHmac('sha256', secret).update(hit.raw).digest('hex'));

  const list = await kartiba(['webhook', 'list', 'brussels-2024'], { server });
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`${id}\\s+active\\s+\\d+\\s+\\d+\\s+ItemStatusSet\\s+${url.replace(/[/.]/g, '\\$&')}`));
  assert.ok(!list.stdout.includes(secret));

  const log = await kartiba(['webhook', 'deliveries', 'brussels-2024', id], { server });
  assert.equal(log.code, 0, log.stderr);
  assert.match(log.stdout, /ItemStatusSet\s+1\s+200\s/);

  const bad = await kartiba(['webhook', 'add', 'brussels-2024', url, '--events', 'NoSuchEvent'], { server });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /unknown event type NoSuchEvent.*\/events\/0/);

  const removed = await kartiba(['webhook', 'remove', 'brussels-2024', id], { server });
  assert.equal(removed.code, 0, removed.stderr);
  const again = await kartiba(['webhook', 'remove', 'brussels-2024', id], { server });
  assert.equal(again.code, 1);
  assert.match(again.stderr, /not_found/);
  const empty = await kartiba(['webhook', 'list', 'brussels-2024', '--json'], { server });
  assert.deepEqual(JSON.parse(empty.stdout).webhooks, []);
});
