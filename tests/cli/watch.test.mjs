// kartiba watch: replay from a revision, then live events, one line (or JSON) each.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startServer, kartiba, api, cliBin, ADMIN } from './lib/kartiba.mjs';

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
