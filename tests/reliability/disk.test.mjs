// Disk trouble (docs/RELIABILITY.md, "Durability"): the data directory on a small tmpfs that
// fills up. Commands fail 503 with a message that says why; reads go on; nothing acknowledged
// is lost, also when the server is killed meanwhile; service resumes by itself once space
// returns. A data directory on a read-only filesystem at start: a clear refusal, exit 1.
// Needs root (mount); without it the suite skips, and tests/reliability/storage_fault_test.cpp
// (the engine over a Store that fails on demand) covers the same promises.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, openSync, writeSync, closeSync, rmSync, statfsSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  startServer, createPlan, command, api, issueToken, WsClient, tempDir, sleep, healthy, SERVER_BIN, ADMIN_TOKEN,
} from './lib/harness.mjs';
import { checkLog, commandRuns, checkAcked } from './lib/checks.mjs';

// RocksDB resumes by itself (every 5 s) once free space exceeds its write buffer (64 MiB), so
// the filesystem is bigger than that; it is filled to a small remainder before the server
// starts (RocksDB then cannot preallocate its log) and to nothing once it runs.
const SIZE_MB = 192;
let root;
let mnt;
let mounted = false;
let skipReason = '';

function mount(options = 'rw') {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${SIZE_MB}m,${options}`, 'tmpfs', mnt], { stdio: 'pipe' });
  mounted = true;
}
function umount() {
  if (!mounted) return;
  try { execFileSync('umount', ['-l', mnt], { stdio: 'pipe' }); } catch { /* gone already */ }
  mounted = false;
}
const freeBytes = () => { const s = statfsSync(mnt); return s.bavail * s.bsize; };

// Writes `name` until the filesystem has at most `leave` bytes free.
function fill(name, leave = 0) {
  const fd = openSync(join(mnt, name), 'a');
  const mb = Buffer.alloc(1 << 20, 7);
  try {
    while (freeBytes() > leave + mb.length) writeSync(fd, mb);
    if (leave === 0) for (;;) writeSync(fd, Buffer.alloc(4096, 7));
  } catch (e) {
    if (e.code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
}

before(() => {
  root = tempDir('kartiba-disk-');
  mnt = join(root, 'mnt');
  mkdirSync(mnt);
  try {
    mount();
    umount();
  } catch (e) {
    skipReason = `cannot mount a tmpfs here (${String(e.stderr || e.message).trim()}); the engine's fault-injection tests cover this`;
  }
});
after(() => {
  umount();
  rmSync(root, { recursive: true, force: true });
});

const setDay = (i, title = `Day ${i}`) => ({ id: `disk-${i}`, type: 'set-day', data: { date: `2024-05-${15 + (i % 3)}`, title } });

test('a full disk: 503 saying so, reads go on, nothing acknowledged is lost, service resumes when space returns', async (t) => {
  if (skipReason) return t.skip(skipReason);
  mount();
  fill('ballast', 24 << 20);
  let s = await startServer({ dataDir: join(mnt, 'data'), args: ['--rate', '0'] });
  try {
    await createPlan(s, 'disk');
    const watcher = await WsClient.open(s, ADMIN_TOKEN);
    const seen = [];
    watcher.listen((m) => { if (m.type === 'event') { seen.push(m.event.revision); m.consumed = true; } });
    watcher.send({ type: 'subscribe', plan: 'disk', from: 0 });
    const acked = new Map();
    let i = 0;
    for (; i < 20; i++) {
      const res = await command(s, 'disk', setDay(i));
      assert.equal(res.status, 200, res.text);
      acked.set(`disk-${i}`, res.json);
    }
    fill('filler');
    // Commands now fail; those that still fit acknowledge as usual.
    let refused = 0;
    let message = '';
    for (; i < 3000 && refused < 10; i++) {
      const res = await command(s, 'disk', setDay(i, `Day ${i} ${'x'.repeat(150)}`));
      if (res.status === 200) { acked.set(`disk-${i}`, res.json); continue; }
      assert.equal(res.status, 503, res.text);
      assert.equal(res.json.error.code, 'unavailable');
      message = res.json.error.message;
      assert.match(message, /No space left on device/, 'the 503 does not say why');
      refused++;
    }
    assert.equal(refused, 10, `the disk never filled (${i} commands)`);
    // Tokens are written too: refused the same way.
    const token = await api.post(s, '/api/tokens', { role: 'viewer', plans: ['disk'], name: 'During' });
    assert.equal(token.status, 503, token.text);
    // Reads go on, and show exactly what was acknowledged.
    assert.ok(await healthy(s));
    const events = await checkLog(s, 'disk');
    const runs = commandRuns('disk', events);
    for (const [id, ack] of acked) checkAcked('disk', events, runs, id, ack);
    assert.equal(events.length, 1 + acked.size, 'a refused command is in the log');
    const metrics = await api.get(s, '/metrics', null);
    assert.match(metrics.text, /kartiba_storage_failed 1/);

    // Space returns: the server resumes by itself (RocksDB retries every 5 s).
    rmSync(join(mnt, 'filler'));
    rmSync(join(mnt, 'ballast'));
    const started = Date.now();
    let resumed = null;
    while (!resumed && Date.now() - started < 30000) {
      const res = await command(s, 'disk', setDay(i));
      if (res.status === 200) resumed = res.json;
      else { assert.equal(res.status, 503, res.text); await sleep(250); }
    }
    assert.ok(resumed, 'commands did not resume within 30 s of space returning');
    acked.set(`disk-${i}`, resumed);
    console.log(`# resumed ${Date.now() - started} ms after space returned; ${acked.size} acknowledged, ${refused} refused`);
    const after = await checkLog(s, 'disk');
    const afterRuns = commandRuns('disk', after);
    for (const [id, ack] of acked) checkAcked('disk', after, afterRuns, id, ack);
    const deadline = Date.now() + 10000;
    while (seen.length < after.length && Date.now() < deadline) await sleep(20);
    assert.deepEqual(seen, after.map((e) => e.revision), 'the subscriber saw something else than the log');
    watcher.close();

    // And after a clean restart, all of it is there.
    const view = await api.get(s, '/api/plans/disk');
    assert.equal((await s.stop('SIGTERM')).code, 0);
    s = await startServer({ dataDir: join(mnt, 'data'), args: ['--rate', '0'] });
    assert.deepEqual((await api.get(s, '/api/plans/disk')).json, view.json);
    await checkLog(s, 'disk');
  } finally {
    await s.kill();
    umount();
  }
});

test('killed while the disk is full: every acknowledged command is there after the restart', async (t) => {
  if (skipReason) return t.skip(skipReason);
  mount();
  fill('ballast', 24 << 20);
  let s = await startServer({ dataDir: join(mnt, 'data'), args: ['--rate', '0'] });
  try {
    await createPlan(s, 'disk');
    fill('filler', 256 << 10);
    const acked = new Map();
    let refused = 0;
    for (let i = 0; i < 3000 && refused < 5; i++) {
      const res = await command(s, 'disk', setDay(i, `Day ${i} ${'y'.repeat(180)}`));
      if (res.status === 200) acked.set(`disk-${i}`, res.json);
      else { assert.equal(res.status, 503, res.text); refused++; }
    }
    assert.equal(refused, 5);
    await s.kill();
    rmSync(join(mnt, 'filler'));
    rmSync(join(mnt, 'ballast'));
    s = await startServer({ dataDir: join(mnt, 'data'), args: ['--rate', '0'] });
    const events = await checkLog(s, 'disk');
    const runs = commandRuns('disk', events);
    for (const [id, ack] of acked) checkAcked('disk', events, runs, id, ack);
    assert.equal(events.length, 1 + acked.size);
    const res = await command(s, 'disk', setDay(9999));
    assert.equal(res.status, 200, res.text);
  } finally {
    await s.kill();
    umount();
  }
});

test('a data directory on a read-only filesystem: refused at start with a clear message; read-write again, all there', async (t) => {
  if (skipReason) return t.skip(skipReason);
  mount();
  const data = join(mnt, 'data');
  let s = await startServer({ dataDir: data, args: ['--rate', '0'] });
  await createPlan(s, 'ro');
  const { token } = await issueToken(s, 'viewer', ['ro'], 'Reader');
  assert.equal((await command(s, 'ro', setDay(1))).status, 200);
  assert.equal((await s.stop('SIGTERM')).code, 0);
  try {
    execFileSync('mount', ['-o', 'remount,ro', mnt], { stdio: 'pipe' });
    const r = spawnSync(SERVER_BIN, ['--data', data, '--listen', '127.0.0.1:0'], {
      encoding: 'utf8', timeout: 30000, env: { ...process.env, KARTIBA_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    assert.equal(r.status, 1, `exit ${r.status} ${r.signal}: ${r.stderr}`);
    assert.match(r.stderr, /cannot open .*Read-only file system/i);
    execFileSync('mount', ['-o', 'remount,rw', mnt], { stdio: 'pipe' });
    s = await startServer({ dataDir: data, args: ['--rate', '0'] });
    assert.equal((await api.get(s, '/api/plans/ro', token)).json.revision, 2);
    await checkLog(s, 'ro');
  } finally {
    await s.kill();
    umount();
  }
});
