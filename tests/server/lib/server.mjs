// Starts the real kartiba-server binary and talks to it: HTTP with fetch, WebSocket with `ws`.
//
// The binary is $KARTIBA_SERVER, else ../../build/server/kartiba-server from this folder.
// Each server gets a fresh temporary --data directory and KARTIBA_ADMIN_TOKEN=ADMIN_TOKEN.
import { spawn } from 'node:child_process';
import { rmSync, existsSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import WebSocket from 'ws';
import { makeTempDir } from '../../lib/temp_dirs.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const SERVER_BIN = process.env.KARTIBA_SERVER || resolve(here, '../../../build/server/kartiba-server');
export const ADMIN_TOKEN = 'test-admin-token-0123456789';

if (!existsSync(SERVER_BIN)) {
  throw new Error(`kartiba-server not found at ${SERVER_BIN}; set KARTIBA_SERVER`);
}

// Removed when the test process exits at the latest (tests/lib/temp_dirs.mjs).
export function tempDir(prefix = 'kartiba-server-test-') {
  return makeTempDir(prefix);
}

// Starts a server; resolves once it printed `listening on http://HOST:PORT`.
export async function startServer({ args = [], env = {}, dataDir, adminToken = ADMIN_TOKEN } = {}) {
  const ownsDir = !dataDir;
  const root = dataDir ? null : tempDir();
  const data = dataDir || join(root, 'data');
  const childEnv = { ...process.env, ...env };
  if (adminToken) childEnv.KARTIBA_ADMIN_TOKEN = adminToken;
  else delete childEnv.KARTIBA_ADMIN_TOKEN;
  const proc = spawn(SERVER_BIN, ['--data', data, '--listen', '127.0.0.1:0', '--log-level', 'warn', ...args], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = once(proc, 'exit');
  const started = new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time; stderr:\n${stderr}`)), 20000);
    proc.stdout.on('data', (d) => {
      stdout += d;
      const m = /^listening on (http:\/\/\S+)\n/.exec(stdout);
      if (m) { clearTimeout(timer); resolveUrl(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}; stderr:\n${stderr}`)); });
  });
  let url;
  try {
    url = await started;
  } catch (e) {
    proc.kill('SIGKILL');
    if (ownsDir && root) rmSync(root, { recursive: true, force: true });
    throw e;
  }
  const server = {
    url,
    wsUrl: url.replace('http://', 'ws://') + '/ws',
    proc,
    data,
    get stdout() { return stdout; },
    get stderr() { return stderr; },
    // Sends `signal` and resolves with the exit code (null if killed by a signal).
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      const [code] = await exited;
      return code;
    },
    async cleanup() {
      await server.stop('SIGKILL');
      if (ownsDir && root) rmSync(root, { recursive: true, force: true });
    },
  };
  return server;
}

// One HTTP request; resolves {status, headers, text, json}.
export async function http(server, method, path, { token, body, headers = {}, raw } = {}) {
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
  get: (s, path, token = ADMIN_TOKEN, opts = {}) => http(s, 'GET', path, { token, ...opts }),
  post: (s, path, body, token = ADMIN_TOKEN, opts = {}) => http(s, 'POST', path, { token, body, ...opts }),
  del: (s, path, token = ADMIN_TOKEN) => http(s, 'DELETE', path, { token }),
};

let planCounter = 0;
// Creates a plan (admin) and returns its id.
export async function createPlan(server, extra = {}) {
  const id = extra.id || `plan-${process.pid}-${++planCounter}`;
  const res = await api.post(server, '/api/plans', {
    id, title: `Plan ${id}`, timezone: 'Europe/Brussels', start_date: '2024-05-15', end_date: '2024-05-17', ...extra,
  });
  if (res.status !== 201) throw new Error(`create plan: ${res.status} ${res.text}`);
  return id;
}

// Issues a token; returns {token, id}.
export async function issueToken(server, role, plans, name) {
  const res = await api.post(server, '/api/tokens', { role, plans, name });
  if (res.status !== 201) throw new Error(`issue token: ${res.status} ${res.text}`);
  return res.json;
}

export async function command(server, plan, cmd, token = ADMIN_TOKEN) {
  return api.post(server, `/api/plans/${plan}/commands`, cmd, token);
}

// A schedule-item command for item `item` on 15 May, `hour`:00–`hour`+1:00.
export function scheduleItem(item, hour = 10, extra = {}) {
  const hh = String(hour).padStart(2, '0');
  const hh1 = String(hour + 1).padStart(2, '0');
  return {
    type: 'schedule-item',
    data: { item, title: `Item ${item}`, start: { local: `2024-05-15T${hh}:00` }, end: { local: `2024-05-15T${hh1}:00` }, ...extra },
  };
}

// A WebSocket client that queues what it receives; next() waits for a matching message.
export class Client {
  constructor(ws) {
    this.ws = ws;
    this.messages = [];
    this.arrivals = [];   // every message in arrival order (kept after next() took it)
    this.waiters = [];
    this.closed = new Promise((res) => ws.on('close', (code, reason) => res({ code, reason: reason.toString() })));
    ws.on('message', (data, isBinary) => {
      const msg = isBinary ? { binary: data } : JSON.parse(data.toString());
      this.messages.push(msg);
      this.arrivals.push(msg);
      this.#wake();
    });
    ws.on('error', () => {});
  }

  static async connect(server, { headers, origin } = {}) {
    const ws = new WebSocket(server.wsUrl, { headers, origin });
    const client = new Client(ws);
    await new Promise((res, rej) => {
      ws.once('open', res);
      ws.once('unexpected-response', (req, r) => rej(Object.assign(new Error(`upgrade refused: ${r.statusCode}`), { status: r.statusCode })));
      ws.once('error', rej);
    });
    return client;
  }

  // Connects and authenticates; resolves with the client after the welcome.
  static async open(server, token) {
    const c = await Client.connect(server);
    c.send({ type: 'auth', token });
    const welcome = await c.next((m) => m.type === 'welcome' || m.type === 'error');
    if (welcome.type !== 'welcome') throw new Error(`auth failed: ${JSON.stringify(welcome)}`);
    c.welcome = welcome;
    return c;
  }

  send(obj) { this.ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj)); }

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

  // The first queued or future message matching `pred` (removed from the queue).
  next(pred = () => true, timeoutMs = 10000) {
    const i = this.messages.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.messages.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve };
      w.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`no matching message in ${timeoutMs} ms; queued: ${JSON.stringify(this.messages).slice(0, 2000)}`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  // Sends a command and waits for its ack or rejection.
  async command(plan, cmd) {
    const id = cmd.id || `c-${Math.random().toString(36).slice(2)}`;
    this.send({ type: 'command', plan, command: { ...cmd, id } });
    return this.next((m) => (m.type === 'ack' || m.type === 'rejected') && m.id === id);
  }

  // Collects `n` event frames of `plan`, in arrival order.
  async events(plan, n, timeoutMs = 10000) {
    const out = [];
    while (out.length < n) out.push(await this.next((m) => m.type === 'event' && m.plan === plan, timeoutMs));
    return out;
  }

  close() { this.ws.close(); }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
