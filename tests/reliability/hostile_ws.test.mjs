// Hostile input over the WebSocket (docs/RELIABILITY.md, "Hostile input"): bad frames get an
// error frame and the session stays usable; frames that break RFC 6455 or the limits close the
// socket with the documented code (1002 protocol, 1007 bad UTF-8, 1008 policy, 1009 too big);
// the server stays up, serves others, and the plan's revision does not change.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { WsClient, ADMIN_TOKEN, sleep } from './lib/harness.mjs';
import { RawWs, frame } from './lib/raw.mjs';
import { hostileServer, assertUnharmed, PLAN } from './lib/hostile.mjs';

let tried = 0;
const TEXT = 1;
const BINARY = 2;
const CONT = 0;
const CLOSE = 8;
const PING = 9;

describe('hostile input over the WebSocket', () => {
  let ctx;
  before(async () => { ctx = await hostileServer(); });
  after(async () => {
    if (process.env.RELIABILITY_FIGURES) writeFileSync(process.env.RELIABILITY_FIGURES, JSON.stringify({ suite: 'hostile-ws', inputs: tried }) + '\n', { flag: 'a' });
    console.log(`# hostile WebSocket inputs tried: ${tried}`);
    await ctx.s.cleanup();
  });

  test('bad messages get an error frame and the session stays usable', async () => {
    const c = await WsClient.open(ctx.s, ctx.organiser);
    const cases = [
      ['not JSON', 'hello', 'invalid'],
      ['a JSON array', '[{"type":"subscribe","plan":"target"}]', 'invalid'],
      ['JSON null', 'null', 'invalid'],
      ['no type', '{"plan":"target"}', 'invalid'],
      ['type is a number', '{"type":1}', 'invalid'],
      ['unknown type', '{"type":"drop"}', 'invalid'],
      ['nested 100,000 deep', '['.repeat(100000) + ']'.repeat(100000), 'invalid'],
      ['objects nested 100,000 deep', '{"type":"subscribe","plan":' + '{"a":'.repeat(100000) + '1' + '}'.repeat(100000) + '}', 'invalid'],
      ['trailing garbage', '{"type":"subscribe","plan":"target"} x', 'invalid'],
      ['escaped lone surrogate', '{"type":"subscribe","plan":"\\ud800"}', 'invalid'],
      ['subscribe to a path', '{"type":"subscribe","plan":"../target"}', 'not_found'],
      ['subscribe to an upper-case id', '{"type":"subscribe","plan":"TARGET"}', 'not_found'],
      ['subscribe without a plan', '{"type":"subscribe"}', 'invalid'],
      ['plan is a number', '{"type":"subscribe","plan":5}', 'invalid'],
      ['from -1', '{"type":"subscribe","plan":"target","from":-1}', 'invalid'],
      ['from 1.5', '{"type":"subscribe","plan":"target","from":1.5}', 'invalid'],
      ['from "3"', '{"type":"subscribe","plan":"target","from":"3"}', 'invalid'],
      ['from 1e400', '{"type":"subscribe","plan":"target","from":1e400}', 'invalid'],
      ['from 2^64', '{"type":"subscribe","plan":"target","from":18446744073709551616}', 'invalid'],
      ['from 2^64-1 (ahead of the plan)', '{"type":"subscribe","plan":"target","from":18446744073709551615}', 'invalid'],
      ['presence editing a path', '{"type":"presence","plan":"target","editing":"../x"}', 'invalid'],
      ['presence without subscribing', '{"type":"presence","plan":"target","editing":"it"}', 'invalid'],
      ['a second auth', `{"type":"auth","token":"${ADMIN_TOKEN}"}`, 'invalid'],
    ];
    for (const [name, text, code] of cases) {
      c.send(text);
      const reply = await c.next((m) => m.type === 'error');
      tried++;
      assert.equal(reply.error.code, code, `${name}: ${JSON.stringify(reply)}`);
    }
    c.ws.send(Buffer.from([0, 1, 2, 255]), { binary: true });
    tried++;
    assert.equal((await c.next((m) => m.type === 'error')).error.code, 'invalid');
    // Hostile commands are rejected as over HTTP.
    const commands = [
      [{ type: 'drop-table', data: {} }, 'invalid'],
      [{ type: 'edit-item', data: { item: 'it', title: 'x', colour: 1 } }, 'invalid'],
      [{ type: 'edit-item', base: -1, data: { item: 'it', title: 'x' } }, 'invalid'],
      [{ type: 'schedule-item', data: { item: '../x', title: 'x', start: { local: '2024-05-15T10:00' }, end: { local: '2024-05-15T11:00' } } }, 'invalid'],
      [{ type: 'schedule-item', data: { item: 'x', title: 'x', start: { local: '2024-05-15T10:00', tz: 'Europe/../../etc/passwd' }, end: { local: '2024-05-15T11:00' } } }, 'invalid'],
      [{ type: 'schedule-item', data: { item: 'x', title: 'x', start: { local: '2024-03-31T02:30' }, end: { local: '2024-03-31T04:00' } } }, 'invalid'],
      [{ type: 'schedule-item', data: { item: 'x', title: 'x', start: { local: '2024-05-15T12:00' }, end: { local: '2024-05-15T11:00' } } }, 'invalid'],
      [{ type: 'report-pledge-progress', data: { pledge: 'pl', percent: 1e300 } }, 'invalid'],
    ];
    for (const [cmd, code] of commands) {
      const reply = await c.command(PLAN, cmd);
      tried++;
      assert.equal(reply.type, 'rejected', JSON.stringify(reply));
      assert.equal(reply.error.code, code, JSON.stringify(reply));
    }
    for (const [name, text, code] of [
      ['command without an object', '{"type":"command","plan":"target","command":"x"}', 'invalid'],
      ['command for a path', '{"type":"command","plan":"../x","command":{"type":"edit-item","data":{}}}', 'not_found'],
      ['command id of another type', '{"type":"command","plan":"target","command":{"id":{"a":1},"type":"edit-item","data":{"item":"it","title":"x"}}}', 'invalid'],
    ]) {
      c.send(text);
      const reply = await c.next((m) => m.type === 'rejected' || m.type === 'error');
      tried++;
      assert.equal(reply.error.code, code, `${name}: ${JSON.stringify(reply)}`);
    }
    // Still usable.
    c.send({ type: 'subscribe', plan: PLAN });
    const snap = await c.next((m) => m.type === 'snapshot');
    assert.equal(snap.revision, ctx.revision);
    c.close();
    await assertUnharmed(ctx, 'bad messages');
  });

  test('before auth: a thousand junk frames get errors; a huge or wrong token closes with 1008', async () => {
    const c = await WsClient.connect(ctx.s);
    for (let i = 0; i < 1000; i++) c.send(i % 2 ? 'junk' : { type: 'subscribe', plan: PLAN });
    for (let i = 0; i < 1000; i++) await c.next((m) => m.type === 'error');
    tried += 1000;
    c.send({ type: 'auth', token: 7 });
    assert.equal((await c.next((m) => m.type === 'error')).error.code, 'invalid');
    c.send({ type: 'auth', token: ctx.organiser });
    await c.next((m) => m.type === 'welcome');
    c.close();

    for (const token of ['x'.repeat(900 * 1024), '', ADMIN_TOKEN.slice(0, -1), `${ADMIN_TOKEN}\u0000`, ` ${ADMIN_TOKEN}`]) {
      const bad = await WsClient.connect(ctx.s);
      bad.send({ type: 'auth', token });
      const err = await bad.next((m) => m.type === 'error');
      assert.equal(err.error.code, 'unauthorized');
      assert.equal((await bad.closed).code, 1008);
      tried++;
    }
    await assertUnharmed(ctx, 'junk before auth');
  });

  test('fragmented messages are put together; ping between fragments is fine', async () => {
    const ws = await RawWs.open(ctx.s);
    ws.text({ type: 'auth', token: ctx.organiser });
    assert.equal((await ws.next((f) => f.json && f.json.type === 'welcome')).json.actor, 'Hostile Organiser');
    const msg = JSON.stringify({ type: 'subscribe', plan: PLAN });
    ws.send(frame(TEXT, msg.slice(0, 5), { fin: false }));
    ws.send(frame(PING, 'are you there'));
    ws.send(frame(CONT, msg.slice(5, 12), { fin: false }));
    ws.send(frame(CONT, msg.slice(12)));
    const snap = await ws.next((f) => f.json && f.json.type === 'snapshot');
    assert.equal(snap.json.revision, ctx.revision);
    assert.ok(await ws.next((f) => f.opcode === 10), 'no pong');
    // A multi-byte character split across fragments is still valid UTF-8.
    const text = Buffer.from(JSON.stringify({ type: 'presence', plan: PLAN, editing: null, note: 'ā' }));
    const cut = text.indexOf(0xc4) + 1;
    ws.send(frame(TEXT, text.subarray(0, cut), { fin: false }));
    ws.send(frame(CONT, text.subarray(cut)));
    const presence = await ws.next((f) => f.json && f.json.type === 'presence');
    assert.equal(presence.json.plan, PLAN);
    tried += 2;
    ws.destroy();
    await assertUnharmed(ctx, 'fragments');
  });

  // [name, frames to send after auth, the close code wanted]
  const closing = [
    ['a 10 MB text frame', () => [frame(TEXT, Buffer.alloc(10 * 1024 * 1024, 0x61))], 1009],
    ['a 10 MB binary frame', () => [frame(BINARY, Buffer.alloc(10 * 1024 * 1024, 0x61))], 1009],
    ['2 MB in 64 KB fragments', () => Array.from({ length: 32 }, (_, i) => frame(i ? CONT : TEXT, Buffer.alloc(64 * 1024, 0x20), { fin: i === 31 })), 1009],
    ['invalid UTF-8 in a text frame', () => [frame(TEXT, Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]))], 1007],
    ['a surrogate in a text frame', () => [frame(TEXT, Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]))], 1007],
    ['invalid UTF-8 across fragments', () => [frame(TEXT, Buffer.from([0x22, 0xe2]), { fin: false }), frame(CONT, Buffer.from([0x28, 0xa1, 0x22]))], 1007],
    ['a continuation without a start', () => [frame(CONT, '{"type":"x"}')], 1002],
    ['a new message inside a fragmented one', () => [frame(TEXT, '{"type":', { fin: false }), frame(TEXT, '{"type":"x"}')], 1002],
    ['reserved opcode 3', () => [frame(3, 'x')], 1002],
    ['reserved opcode 11', () => [frame(11, 'x')], 1002],
    ['RSV1 without an extension', () => [frame(TEXT, '{}', { rsv: 4 })], 1002],
    ['a ping over 125 bytes', () => [frame(PING, Buffer.alloc(200, 1))], 1002],
    ['a fragmented ping', () => [frame(PING, 'x', { fin: false })], 1002],
    ['an unmasked frame', () => [Buffer.from([0x81, 0x02, 0x7b, 0x7d])], 1002],
    ['a close with code 999', () => [frame(CLOSE, Buffer.from([0x03, 0xe7]))], 1002],
  ];
  for (const [name, frames, code] of closing) {
    test(`${name} closes with ${code}`, async () => {
      const ws = await RawWs.open(ctx.s);
      ws.text({ type: 'auth', token: ctx.organiser });
      await ws.next((f) => f.json && f.json.type === 'welcome');
      for (const f of frames()) {
        if (ws.closed) break;
        ws.send(f);
      }
      const got = await ws.closeCode(15000);
      tried++;
      assert.equal(got, code, name);
      ws.destroy();
      await assertUnharmed(ctx, name);
    });
  }

  test('many WebSocket sessions at once, then a burst of connects and drops', async () => {
    const clients = await Promise.all(Array.from({ length: 150 }, () => WsClient.open(ctx.s, ctx.bystander)));
    for (const c of clients) c.send({ type: 'subscribe', plan: PLAN });
    await Promise.all(clients.map((c) => c.next((m) => m.type === 'snapshot')));
    tried += clients.length;
    await assertUnharmed(ctx, '150 sessions');
    for (const c of clients.slice(0, 75)) c.terminate();
    for (const c of clients.slice(75)) c.close();
    // Connect and vanish mid-handshake.
    const raws = [];
    for (let i = 0; i < 50; i++) raws.push(RawWs.open(ctx.s).then((w) => { w.send(frame(TEXT, '{"type":"auth"', { fin: false })); w.destroy(); }).catch(() => {}));
    await Promise.all(raws);
    tried += 50;
    await sleep(200);
    await assertUnharmed(ctx, 'connect and drop');
  });
});
