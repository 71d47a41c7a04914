// Helpers for the integration suites: start the real kartiba-server on a free port with a
// temporary data directory, run the real kartiba CLI, call the HTTP API.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { rmSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '../../lib/temp_dirs.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const repo = resolve(here, '../../..');
export const serverBin = process.env.KARTIBA_SERVER_BIN || join(repo, 'build/server/kartiba-server');
export const cliBin = process.env.KARTIBA_CLI_BIN || join(repo, 'build/clients/cli/kartiba');
export const ADMIN = 'test-admin-token-' + process.pid;

// Removed when the test process exits at the latest (tests/lib/temp_dirs.mjs).
export function tempDir(prefix = 'kartiba-it-') {
  return makeTempDir(prefix);
}

// Starts kartiba-server; resolves once it printed "listening on http://HOST:PORT".
export async function startServer({ demo = true, data = join(tempDir(), 'data'), listen = '127.0.0.1:0', extra = [] } = {}) {
  const args = ['--data', data, '--listen', listen, ...(demo ? ['--demo'] : []), ...extra];
  const proc = spawn(serverBin, args, {
    env: { ...process.env, KARTIBA_ADMIN_TOKEN: ADMIN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolveUrl, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('server did not start: ' + stderr)), 30000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    });
    proc.on('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
  });
  return {
    url,
    data,
    proc,
    stderr: () => stderr,
    async stop() {
      if (proc.exitCode !== null) return proc.exitCode;
      const exited = new Promise((r) => proc.once('exit', (code) => r(code)));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

// Runs the kartiba CLI; resolves {code, stdout, stderr}. Never throws on a non-zero exit.
export function kartiba(args, { server, token = ADMIN, env = {}, input, timeoutMs = 60000 } = {}) {
  // A HOME of its own (no saved sign-in leaks between runs), removed once the CLI exits.
  const home = process.env.KARTIBA_TEST_HOME || env.HOME ? null : tempDir('kartiba-home-');
  const fullEnv = { ...process.env, HOME: process.env.KARTIBA_TEST_HOME || home, ...env };
  delete fullEnv.KARTIBA_SERVER;
  delete fullEnv.KARTIBA_TOKEN;
  if (server) fullEnv.KARTIBA_SERVER = server.url;
  if (token) fullEnv.KARTIBA_TOKEN = token;
  Object.assign(fullEnv, env);
  return new Promise((resolveRun) => {
    const proc = spawn(cliBin, args, { env: fullEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => { stdout += d; });
    proc.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (home) removeDir(home);
      resolveRun({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
    if (input !== undefined) proc.stdin.end(input);
    else proc.stdin.end();
  });
}

// One HTTP call to the server's API as `token`.
export async function api(server, method, path, body, token = ADMIN) {
  const res = await fetch(server.url + path, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, text, json, headers: res.headers };
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

// A TCP port that was free a moment ago on 127.0.0.1 (for a server restarted on the same port).
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}
