// Helpers of the packaging tests: run commands, start a kartiba-server binary (build tree, staged
// or installed), talk HTTP and WebSocket to it. No fixed sleeps: everything polls with a deadline.
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { makeTempDir } from '../lib/temp_dirs.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const sourceDir = process.env.KARTIBA_SOURCE_DIR || path.resolve(here, '..', '..');
export const buildDir = process.env.KARTIBA_BUILD_DIR || path.join(sourceDir, 'build');
export const buildServer = process.env.KARTIBA_SERVER || path.join(buildDir, 'server', 'kartiba-server');

// Removed when the test process exits at the latest (tests/lib/temp_dirs.mjs).
export const tempDir = (name) => makeTempDir(`kartiba-${name}-`);

/** Runs a command to the end; throws with its output unless it exits 0 (or `allowFail`). */
export function run(cmd, args, { env, cwd, allowFail = false, timeout = 600_000, input } = {}) {
  const started = Date.now();
  const r = spawnSync(cmd, args, {
    cwd, input, timeout, encoding: 'utf8', maxBuffer: 64 << 20,
    env: { ...process.env, ...env },
  });
  const result = { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ms: Date.now() - started };
  if (!allowFail && (r.error || r.status !== 0)) {
    throw new Error(`${cmd} ${args.join(' ')} → ${r.error?.message ?? `exit ${r.status}`}\n${result.stdout}\n${result.stderr}`.slice(0, 20000));
  }
  return result;
}

export function which(name) {
  for (const dir of (process.env.PATH || '').split(':').concat(['/usr/sbin', '/sbin'])) {
    const p = path.join(dir, name);
    if (run('test', ['-x', p], { allowFail: true }).code === 0) return p;
  }
  return null;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

export async function eventually(fn, { timeout = 15000, interval = 50, message = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try { last = await fn(); if (last) return last; } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out waiting for ${message}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

const children = new Set();
function killAll() { for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL'); }
process.once('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => { killAll(); process.exit(130); });

/** Spawns a long-running process that is killed when the test process ends, whatever happens. */
export function spawnTracked(cmd, args, opts) {
  const child = spawn(cmd, args, opts);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/**
 * Starts a kartiba-server binary on 127.0.0.1:0 with --demo and KARTIBA_ADMIN_TOKEN.
 * `wrap` runs it through another command (e.g. ['setpriv', '--reuid=kartiba', …, '--']).
 */
export async function startServer(binary, { dataDir, args = [], wrap = [], env = {}, adminToken } = {}) {
  const data = dataDir ?? tempDir('data');
  const token = adminToken ?? `admin-${randomBytes(12).toString('hex')}`;
  const argv = [...wrap, binary, '--data', data, '--listen', '127.0.0.1:0', '--demo', ...args];
  const child = spawnTracked(argv[0], argv.slice(1), {
    env: { ...process.env, KARTIBA_ADMIN_TOKEN: token, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; if (stderr.length > 40000) stderr = stderr.slice(-20000); });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${binary} did not print its address in 30 s\n${stderr}`)), 30000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1].replace(/\/$/, '')); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${binary} exited (${code}) before listening\n${stderr}`)); });
  });
  child.stdout.resume();
  const port = Number(new URL(url).port);

  async function stop() {
    if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode };
    const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 10000);
    const r = await exited;
    clearTimeout(t);
    return r;
  }
  return { url, port, dataDir: data, adminToken: token, child, stop, stderr: () => stderr };
}

/** HTTP request; the body is parsed as JSON when it is JSON. */
export async function http(base, method, p, { token, body, headers = {} } = {}) {
  const res = await fetch(base + p, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, text, json };
}

/**
 * A WebSocket client that queues every frame it receives; `next(pred)` waits for the first
 * queued (or future) frame matching pred and removes it from the queue.
 */
export async function openSocket(url, { origin } = {}) {
  const ws = new WebSocket(url, origin ? { origin } : {});
  const frames = [];
  const waiters = [];
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString());
    frames.push(msg);
    for (const w of [...waiters]) w();
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
  });
  const closed = new Promise((r) => ws.once('close', (code) => r(code)));
  function next(pred = () => true, { timeout = 15000, what = 'a frame' } = {}) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const i = frames.findIndex(pred);
        if (i < 0) return false;
        const [f] = frames.splice(i, 1);
        cleanup();
        resolve(f);
        return true;
      };
      const timer = setTimeout(() => { cleanup(); reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(frames).slice(0, 2000)}`)); }, timeout);
      const waiter = () => check();
      const cleanup = () => { clearTimeout(timer); const k = waiters.indexOf(waiter); if (k >= 0) waiters.splice(k, 1); };
      waiters.push(waiter);
      check();
    });
  }
  const send = (obj) => ws.send(JSON.stringify(obj));
  return { ws, frames, next, send, closed, close: () => ws.close() };
}

/**
 * One organiser's WebSocket session against `wsUrl`, with checks: auth → welcome, subscribe →
 * snapshot, a command → ack and its event; then an HTTP command from another client arrives
 * live. Returns what it saw.
 */
export async function collaborationSession({ wsUrl, httpBase, adminToken, origin, assert }) {
  const orgA = await http(httpBase, 'POST', '/api/tokens', { token: adminToken, body: { role: 'organiser', plans: ['brussels-2024'], name: 'Kristīne Miķelsone' } });
  assert.equal(orgA.status, 201, orgA.text);
  const orgB = await http(httpBase, 'POST', '/api/tokens', { token: adminToken, body: { role: 'organiser', plans: ['brussels-2024'], name: 'Jānis Bērziņš' } });
  assert.equal(orgB.status, 201, orgB.text);

  const s = await openSocket(wsUrl, { origin });
  try {
    s.send({ type: 'auth', token: orgA.json.token });
    const welcome = await s.next((f) => f.type === 'welcome', { what: 'welcome' });
    assert.equal(welcome.actor, 'Kristīne Miķelsone');
    assert.equal(welcome.role, 'organiser');

    s.send({ type: 'subscribe', plan: 'brussels-2024' });
    const snap = await s.next((f) => f.type === 'snapshot', { what: 'snapshot' });
    assert.equal(snap.plan, 'brussels-2024');
    assert.ok(snap.revision >= 1);
    const bornem = snap.view.items.find((i) => i.id === 'bornem');
    assert.ok(bornem, 'the demo plan has the item bornem');

    s.send({ type: 'command', plan: 'brussels-2024', command: {
      id: `c-pkg-${Date.now()}`, type: 'edit-item', base: snap.revision, reason: 'through the proxy',
      data: { item: 'bornem', title: 'Bornem (via proxy)' } } });
    const ack = await s.next((f) => f.type === 'ack' || f.type === 'rejected', { what: 'ack' });
    assert.equal(ack.type, 'ack', JSON.stringify(ack));
    assert.equal(ack.revision, snap.revision + 1);
    const own = await s.next((f) => f.type === 'event' && f.event.revision === ack.revision, { what: 'own event' });
    assert.equal(own.event.actor, 'Kristīne Miķelsone');
    assert.equal(own.event.reason, 'through the proxy');

    // Someone else's change over HTTP reaches this socket live.
    const r = await http(httpBase, 'POST', '/api/plans/brussels-2024/commands', { token: orgB.json.token, body: {
      id: `c-pkg-b-${Date.now()}`, type: 'set-item-status', base: ack.revision, data: { item: 'bornem', status: 'confirmed' } } });
    assert.equal(r.status, 200, r.text);
    const theirs = await s.next((f) => f.type === 'event' && f.event.revision === r.json.revision, { what: 'the other organiser\'s event' });
    assert.equal(theirs.event.actor, 'Jānis Bērziņš');
    return { snapshot: snap, ack, events: [own.event, theirs.event] };
  } finally {
    s.close();
  }
}
