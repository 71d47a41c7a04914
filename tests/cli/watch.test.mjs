// kartiba watch: replay from a revision, then live events, one line (or JSON) each.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startServer, kartiba, api, cliBin, ADMIN, freePort, tempDir } from './lib/kartiba.mjs';
import { join } from 'node:path';

let server;
before(async () => { server = await startServer({ demo: true }); });
after(async () => { await server?.stop(); });

test('watch --from replays the events after that revision, in order, as JSON lines', async () => {
  const r = await kartiba(['watch', 'brussels-2024', '--from', '3', '--count', '4', '--json'], { server, timeoutMs: 20000 });
  assert.equal(r.code, 0, r.stderr);
  const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(events.map((e) => e.revision), [4, 5, 6, 7]);
  assert.ok(events.every((e) => e.plan === 'brussels-2024' && e.hash));
});

test('watch prints live events as they happen, with actor, type and reason', async () => {
  const proc = spawn(cliBin, ['watch', 'brussels-2024', '--count', '2'], {
    env: { ...process.env, KARTIBA_SERVER: server.url, KARTIBA_TOKEN: ADMIN },
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { err += d; });
  // Wait until it is subscribed (it says so on stderr), then change the plan twice.
  for (let i = 0; i < 100 && !err.includes('watching'); i++) await new Promise((r) => setTimeout(r, 50));
  assert.match(err, /watching brussels-2024 from revision \d+/);
  await api(server, 'POST', '/api/plans/brussels-2024/commands', { type: 'set-item-status', reason: 'VVSG apstiprināja', data: { item: 'bornem', status: 'confirmed' } });
  await api(server, 'POST', '/api/plans/brussels-2024/commands', { type: 'set-item-status', data: { item: 'mechelen', status: 'confirmed' } });
  const code = await new Promise((r) => proc.on('exit', r));
  assert.equal(code, 0, err);
  const lines = out.trim().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0], /^r\d+ +\S+ +admin +ItemStatusSet +bornem +— VVSG apstiprināja$/);
  assert.match(lines[1], /ItemStatusSet +mechelen$/);
});

test('watch of a plan the token may not read fails with the server\'s error', async () => {
  const t = await api(server, 'POST', '/api/tokens', { role: 'viewer', name: 'Cits', plans: ['other'] });
  const r = await kartiba(['watch', 'brussels-2024', '--count', '1'], { server, token: t.json.token, timeoutMs: 20000 });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /forbidden/);
});

test('watch survives a server restart: it resumes from the last revision it printed', async () => {
  const port = await freePort();
  const data = join(tempDir(), 'data');
  let first = await startServer({ demo: true, data, listen: `127.0.0.1:${port}` });
  const proc = spawn(cliBin, ['watch', 'brussels-2024', '--count', '2', '--json'], {
    env: { ...process.env, KARTIBA_SERVER: first.url, KARTIBA_TOKEN: ADMIN },
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((r) => proc.on('exit', r));
  try {
    for (let i = 0; i < 100 && !err.includes('watching'); i++) await new Promise((r) => setTimeout(r, 50));
    await api(first, 'POST', '/api/plans/brussels-2024/commands', { type: 'set-item-status', data: { item: 'bornem', status: 'confirmed' } });
    for (let i = 0; i < 100 && !out.includes('\n'); i++) await new Promise((r) => setTimeout(r, 50));
    await first.stop();
    first = await startServer({ demo: false, data, listen: `127.0.0.1:${port}` });
    // The change made while nobody watched still arrives, once.
    for (let i = 0; i < 200 && !err.includes('resuming'); i++) await new Promise((r) => setTimeout(r, 50));
    await api(first, 'POST', '/api/plans/brussels-2024/commands', { type: 'set-item-status', data: { item: 'mechelen', status: 'confirmed' } });
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 20000).unref())]);
    assert.equal(code, 0, err);
    const events = out.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(events.map((e) => e.data.item), ['bornem', 'mechelen']);
    assert.equal(events[1].revision, events[0].revision + 1);
    assert.match(err, /connection lost/);
  } finally {
    proc.kill();
    await first.stop();
  }
});
