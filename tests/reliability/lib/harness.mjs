// The reliability suites' harness: start, kill and restart the real kartiba-server on a data
// directory the test owns; HTTP with fetch; a WebSocket client that records what it receives;
// a fresh replay of a plan (its export.json imported into a new server); the server's RSS.
//
// Binaries: $KARTIBA_SERVER (else ../../build/server/kartiba-server) and, for the admin verbs,
// $KARTIBA_CLI (else ../../build/clients/cli/kartiba; optional).
import { spawn, spawnSync } from 'node:child_process';
import { rmSync, existsSync, readFileSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { makeTempDir } from '../../lib/temp_dirs.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const SERVER_BIN = process.env.KARTIBA_SERVER || resolve(here, '../../../build/server/kartiba-server');
const cliDefault = resolve(here, '../../../build/clients/cli/kartiba');
export const CLI_BIN = process.env.KARTIBA_CLI || (existsSync(cliDefault) ? cliDefault : '');
export const ADMIN_TOKEN = 'reliability-admin-token-0123456789';

if (!existsSync(SERVER_BIN)) {
  throw new Error(`kartiba-server not found at ${SERVER_BIN}; set KARTIBA_SERVER`);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A seeded pseudo-random generator (mulberry32), so a failing run can be repeated with
// RELIABILITY_SEED=<the seed it printed>.
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),  // lo..hi inclusive
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
  };
}

export function seedFromEnv(name = 'RELIABILITY_SEED') {
  const seed = process.env[name] ? Number(process.env[name]) : (Date.now() ^ (process.pid << 8)) >>> 0;
  console.log(`# ${name}=${seed}`);
  return seed;
}

// Removed when the test process exits at the latest (tests/lib/temp_dirs.mjs).
export function tempDir(prefix = 'kartiba-reliability-') {
  return makeTempDir(prefix);
}

// ASan keeps freed memory in quarantine (256 MB by default); a smaller one keeps RSS figures
// meaningful when the server under test is the sanitizer build. Harmless for other builds.
function serverEnv(extra, adminToken) {
  const env = { ...process.env, ...extra };
  const asan = env.ASAN_OPTIONS ? `${env.ASAN_OPTIONS}:` : '';
  if (!/quarantine_size_mb/.test(asan)) env.ASAN_OPTIONS = `${asan}quarantine_size_mb=16`;
  if (adminToken) env.KARTIBA_ADMIN_TOKEN = adminToken;
  else delete env.KARTIBA_ADMIN_TOKEN;
  return env;
}

// Starts kartiba-server on `dataDir` (a new temporary one when omitted); resolves once it
// printed `listening on http://HOST:PORT`.
export async function startServer({ dataDir, args = [], env = {}, adminToken = ADMIN_TOKEN, logLevel = 'warn' } = {}) {
  const root = dataDir ? null : tempDir();
  const data = dataDir || join(root, 'data');
  const proc = spawn(SERVER_BIN, ['--data', data, '--listen', '127.0.0.1:0', '--log-level', logLevel, ...args], {
    env: serverEnv(env, adminToken),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.length > 4_000_000) stderr = stderr.slice(-2_000_000);
  });
  const exited = new Promise((res) => proc.on('exit', (code, signal) => res({ code, signal })));
  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time; stderr:\n${stderr}`)), 60000);
    proc.stdout.on('data', (d) => {
      stdout += d;
      const m = /^listening on (http:\/\/\S+)\n/.exec(stdout);
      if (m) { clearTimeout(timer); resolveUrl(m[1]); }
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited ${code ?? signal} before listening; stderr:\n${stderr}`));
    });
  });
  const server = {
    url,
    wsUrl: url.replace('http://', 'ws://') + '/ws',
    proc,
    pid: proc.pid,
    data,
    exited,
    get stderr() { return stderr; },
    get alive() { return proc.exitCode === null && proc.signalCode === null; },
    // Sends `signal`; resolves {code, signal} once the process is gone.
    async stop(signal = 'SIGTERM') {
      if (server.alive) proc.kill(signal);
      return exited;
    },
    kill() { return server.stop('SIGKILL'); },
    // Resident set size in KiB (/proc/PID/status VmRSS).
    rssKiB() {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
      return m ? Number(m[1]) : 0;
    },
    async cleanup() {
      await server.kill();
      if (root) rmSync(root, { recursive: true, force: true });
    },
  };
  return server;
}

// One HTTP request; resolves {status, headers, text, json}.
export async function http(server, method, path, { token, body, raw, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  let payload;
  if (raw !== undefined) payload = raw;
  else if (body !== undefined) { payload = JSON.stringify(body); h['content-type'] = 'application/json'; }
  const res = await fetch(server.url + path, { method, headers: h, body: payload });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

export const api = {
  get: (s, path, token = ADMIN_TOKEN) => http(s, 'GET', path, { token }),
  post: (s, path, body, token = ADMIN_TOKEN) => http(s, 'POST', path, { token, body }),
  del: (s, path, token = ADMIN_TOKEN) => http(s, 'DELETE', path, { token }),
};

export async function createPlan(server, id, extra = {}) {
  const res = await api.post(server, '/api/plans', {
    id, title: `Plan ${id}`, timezone: 'Europe/Brussels', start_date: '2024-05-15', end_date: '2024-05-17', ...extra,
  });
  if (res.status !== 201) throw new Error(`create plan ${id}: ${res.status} ${res.text}`);
  return id;
}

export async function issueToken(server, role, plans, name) {
  const res = await api.post(server, '/api/tokens', { role, plans, name });
  if (res.status !== 201) throw new Error(`issue token: ${res.status} ${res.text}`);
  return res.json;
}

export async function command(server, plan, cmd, token = ADMIN_TOKEN) {
  return api.post(server, `/api/plans/${plan}/commands`, cmd, token);
}

export async function revisionOf(server, plan, token = ADMIN_TOKEN) {
  const res = await api.get(server, `/api/plans/${plan}`, token);
  if (res.status !== 200) throw new Error(`view of ${plan}: ${res.status} ${res.text}`);
  return res.json.revision;
}

// Every event of the plan, oldest first, following `next` page by page.
export async function allEvents(server, plan, token = ADMIN_TOKEN) {
  const out = [];
  let from = 0;
  for (;;) {
    const res = await api.get(server, `/api/plans/${plan}/events?from=${from}&limit=10000`, token);
    if (res.status !== 200) throw new Error(`events of ${plan}: ${res.status} ${res.text}`);
    out.push(...res.json.events);
    if (res.json.events.length === 0) return out;
    from = res.json.next;
  }
}

// `kartiba admin verify --data DIR --json` (offline, read-only); null when the CLI is missing.
export function adminVerify(dir) {
  if (!CLI_BIN) return null;
  const r = spawnSync(CLI_BIN, ['admin', 'verify', '--data', dir, '--json'], { encoding: 'utf8', timeout: 120000 });
  let json;
  try { json = JSON.parse(r.stdout.trim().split('\n').pop()); } catch { json = undefined; }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, json };
}

// Replays plans from their logs alone: each plan's export.json (events included) is imported
// into a new server, which applies every event from the first; returns a reader of that
// server's views. The caller stops it with .cleanup().
export async function freshReplay(source, plans) {
  const replay = await startServer();
  for (const plan of plans) {
    const doc = await api.get(source, `/api/plans/${plan}/export.json`);
    if (doc.status !== 200) throw new Error(`export ${plan}: ${doc.status} ${doc.text}`);
    const imported = await http(replay, 'POST', '/api/plans/import', {
      token: ADMIN_TOKEN, raw: doc.text, headers: { 'content-type': 'application/json' },
    });
    if (imported.status !== 201) throw new Error(`import ${plan}: ${imported.status} ${imported.text.slice(0, 500)}`);
  }
  return replay;
}

// A WebSocket client that queues what it receives; next() waits for a matching message.
export class WsClient {
  constructor(ws) {
    this.ws = ws;
    this.messages = [];
    this.waiters = [];
    this.listeners = [];
    this.closed = new Promise((res) => ws.on('close', (code, reason) => {
      // Nothing more will arrive: whoever waits learns it now, not at its timeout.
      for (const w of this.waiters.splice(0)) {
        clearTimeout(w.timer);
        w.reject(Object.assign(new Error(`socket closed (${code})`), { closed: true }));
      }
      res({ code, reason: reason.toString() });
    }));
    ws.on('message', (data, isBinary) => {
      let msg;
      if (isBinary) msg = { binary: data };
      else {
        try { msg = JSON.parse(data.toString()); } catch { msg = { unparsable: data.toString() }; }
      }
      for (const l of this.listeners) l(msg);
      if (msg.consumed) return;
      this.messages.push(msg);
      this.#wake();
    });
    ws.on('error', () => {});
  }

  static async connect(server, options = {}) {
    const ws = new WebSocket(server.wsUrl, options);
    const client = new WsClient(ws);
    await new Promise((res, rej) => {
      ws.once('open', res);
      ws.once('unexpected-response', (req, r) => rej(Object.assign(new Error(`upgrade refused: ${r.statusCode}`), { status: r.statusCode })));
      ws.once('error', rej);
    });
    return client;
  }

  // Connects and authenticates; resolves with the client after the welcome.
  static async open(server, token, options = {}) {
    const c = await WsClient.connect(server, options);
    c.send({ type: 'auth', token });
    const welcome = await c.next((m) => m.type === 'welcome' || m.type === 'error');
    if (welcome.type !== 'welcome') throw new Error(`auth failed: ${JSON.stringify(welcome)}`);
    c.welcome = welcome;
    return c;
  }

  get open() { return this.ws.readyState === WebSocket.OPEN; }

  send(obj) { this.ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj)); }

  // Calls fn(msg) for every message before it is queued; fn may set msg.consumed.
  listen(fn) { this.listeners.push(fn); }

  #wake() {
    for (const w of [...this.waiters]) {
      const i = this.messages.findIndex(w.pred);
      if (i >= 0) {
        const [m] = this.messages.splice(i, 1);
        this.waiters.splice(this.waiters.indexOf(w), 1);
        clearTimeout(w.timer);
        w.resolve(m);
      }
    }
  }

  next(pred = () => true, timeoutMs = 20000) {
    const i = this.messages.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.messages.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      if (this.ws.readyState === WebSocket.CLOSED) {
        reject(Object.assign(new Error('socket closed'), { closed: true }));
        return;
      }
      const w = { pred, resolve, reject };
      w.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`no matching message in ${timeoutMs} ms; queued: ${JSON.stringify(this.messages).slice(0, 1500)}`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  async command(plan, cmd, timeoutMs = 20000) {
    const id = cmd.id || `c-${Math.random().toString(36).slice(2)}`;
    this.send({ type: 'command', plan, command: { ...cmd, id } });
    return this.next((m) => (m.type === 'ack' || m.type === 'rejected') && m.id === id, timeoutMs);
  }

  close() { try { this.ws.close(); } catch { /* already closed */ } }
  terminate() { try { this.ws.terminate(); } catch { /* already gone */ } }
}

// Server health: /healthz answers 200.
export async function healthy(server) {
  try {
    const r = await fetch(server.url + '/healthz');
    return r.status === 200;
  } catch {
    return false;
  }
}

// Runs `fn` over `items` with at most `n` at once.
export async function pool(items, n, fn) {
  const results = new Array(items.length);
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (i < items.length) {
      const k = i++;
      results[k] = await fn(items[k], k);
    }
  }));
  return results;
}
