// Starts the real kartiba-server on a free port with a fresh data directory and the demo plan.
import { spawn } from 'node:child_process';
import { rmSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { makeTempDir } from '../../lib/temp_dirs.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..', '..');

export function serverBinary() {
  const bin = process.env.KARTIBA_SERVER || path.join(repoRoot, 'build', 'server', 'kartiba-server');
  if (!existsSync(bin)) {
    throw new Error(`kartiba-server not found at ${bin}: build it (cmake --build build) or set KARTIBA_SERVER`);
  }
  return bin;
}

/**
 * @returns {Promise<{url: string, adminToken: string, token: (role, name, plans?) => Promise<string>,
 *   api: (method, path, body?, token?) => Promise<{status, body}>, stop: () => Promise<void>}>}
 */
/**
 * @param {{web?: string, args?: string[]}} [options]  web: the folder of the web app to serve
 *   (default clients/web); args: more server flags
 */
export async function startServer({ web = path.join(repoRoot, 'clients', 'web'), args = [] } = {}) {
  const dataDir = makeTempDir('kartiba-e2e-');
  const adminToken = `admin-${randomBytes(12).toString('hex')}`;
  const child = spawn(serverBinary(), ['--data', dataDir, '--listen', '127.0.0.1:0', '--demo', '--web', web, ...args], {
    env: { ...process.env, KARTIBA_ADMIN_TOKEN: adminToken },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Never leave a server behind, even when the test process is stopped from outside.
  const killChild = () => { if (child.exitCode === null) child.kill('SIGKILL'); };
  process.once('exit', killChild);
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => { killChild(); process.exit(130); });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; if (stderr.length > 20000) stderr = stderr.slice(-10000); });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not print its address in 30 s\n${stderr}`)), 30000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[^\s]+)/);
      if (m) { clearTimeout(timer); resolve(m[1].replace(/\/$/, '')); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}) before listening\n${stderr}`)); });
  });
  child.stdout.resume();

  async function api(method, p, body, token = adminToken) {
    const res = await fetch(url + p, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = text; }
    return { status: res.status, body: json };
  }

  /** Issues a token; returns the token string (tokenIds maps it to its id, for revoking). */
  const tokenIds = new Map();
  async function token(role, name, plans = ['brussels-2024']) {
    const r = await api('POST', '/api/tokens', { role, plans, name });
    if (r.status !== 201) throw new Error(`POST /api/tokens → ${r.status} ${JSON.stringify(r.body)}`);
    tokenIds.set(r.body.token, r.body.id);
    return r.body.token;
  }
  const revoke = (tok) => api('DELETE', `/api/tokens/${encodeURIComponent(tokenIds.get(tok))}`);

  async function stop() {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }

  return { url, adminToken, api, token, revoke, stop, stderr: () => stderr };
}
