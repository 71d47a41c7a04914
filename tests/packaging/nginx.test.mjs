// tools/packaging/nginx/kartiba.conf in front of a real kartiba-server: Debian's nginx on
// loopback with its own prefix, pid and logs in a temp directory, on a free port, without TLS
// (the config's TLS lines are dropped; everything else is used as it is shipped).
// Through the proxy: the web app, the HTTP API, a WebSocket session (auth, subscribe, snapshot,
// command, ack, live events), the Origin check, /metrics kept private, the body limit.
// Then the Caddy example in front of the same server, when caddy is installed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync, chmodSync, rmSync } from 'node:fs';
import path from 'node:path';
import { sourceDir, buildServer, run, which, tempDir, freePort, eventually, spawnTracked,
  startServer, http, openSocket, collaborationSession } from './lib.mjs';

const nginxBin = process.env.NGINX || which('nginx');
let server, nginx, dir, port, base;

/**
 * The shipped config, made runnable on loopback without certificates: the upstream points at
 * the test's server, the HTTPS server block listens on 127.0.0.1:PORT without TLS, the
 * port-80 redirect block is dropped. Each rewrite must match, so a change to the shipped file
 * that the test no longer understands fails here instead of testing something else.
 */
export function loopbackConfig(conf, { upstreamPort, listenPort }) {
  const rewrite = (text, re, by, what) => {
    assert.match(text, re, `kartiba.conf still has ${what}`);
    return text.replace(re, by);
  };
  let c = conf;
  c = rewrite(c, /server 127\.0\.0\.1:8080;/, `server 127.0.0.1:${upstreamPort};`, 'the upstream 127.0.0.1:8080');
  c = rewrite(c, /# Plain HTTP:[^\n]*\nserver \{\n(?:    [^\n]*\n|\n)*?\}\n/, '', 'the port-80 redirect block');
  c = rewrite(c, /    listen 443 ssl http2;\n    listen \[::\]:443 ssl http2;\n/, `    listen 127.0.0.1:${listenPort};\n`, 'listen 443 ssl http2');
  c = rewrite(c, /^    ssl_[^\n]*\n/gm, '', 'ssl_ lines');
  c = rewrite(c, /^    add_header Strict-Transport-Security[^\n]*\n/m, '', 'the HSTS header');
  return c;
}

before(async () => {
  assert.ok(nginxBin, 'nginx is installed (tests/packaging/run.sh skips otherwise)');
  server = await startServer(buildServer);
  dir = tempDir('nginx');
  chmodSync(dir, 0o755); // nginx's workers (nobody when started as root) use the temp paths
  for (const d of ['logs', 'tmp']) { mkdirSync(path.join(dir, d)); chmodSync(path.join(dir, d), 0o777); }
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const site = loopbackConfig(readFileSync(path.join(sourceDir, 'tools/packaging/nginx/kartiba.conf'), 'utf8'),
    { upstreamPort: server.port, listenPort: port });
  writeFileSync(path.join(dir, 'kartiba.conf'), site);
  writeFileSync(path.join(dir, 'nginx.conf'), `# kartiba packaging test: nginx on loopback, everything in ${dir}
${process.getuid?.() === 0 ? 'user nobody nogroup;\n' : ''}worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log info;
events { worker_connections 256; }
http {
  access_log ${dir}/logs/access.log;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  include ${dir}/kartiba.conf;
}
`);
  const args = ['-p', dir, '-e', `${dir}/logs/error.log`, '-c', `${dir}/nginx.conf`];
  run(nginxBin, [...args, '-t']);
  nginx = spawnTracked(nginxBin, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  await eventually(async () => (await http(base, 'GET', '/healthz')).status === 200, { message: `nginx on ${base}` });
});

after(async () => {
  if (nginx && nginx.exitCode === null) {
    const exited = new Promise((r) => nginx.once('exit', r));
    nginx.kill('SIGQUIT'); // graceful: finish requests, then exit
    const t = setTimeout(() => nginx.kill('SIGKILL'), 10000);
    await exited;
    clearTimeout(t);
  }
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
});

test('the shipped config passes nginx -t on its own (with its TLS lines, fake certificates aside)', () => {
  // nginx -t opens the certificate files, so the shipped file is checked with the TLS block's
  // certificate paths pointing at a throwaway self-signed pair, and everything else untouched.
  const openssl = which('openssl');
  if (!openssl) return;
  const tls = tempDir('nginx-tls');
  try {
    chmodSync(tls, 0o755);
    run(openssl, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=plans.example.org',
      '-keyout', `${tls}/privkey.pem`, '-out', `${tls}/fullchain.pem`]);
    const conf = readFileSync(path.join(sourceDir, 'tools/packaging/nginx/kartiba.conf'), 'utf8')
      .replaceAll('/etc/letsencrypt/live/plans.example.org', tls);
    writeFileSync(`${tls}/kartiba.conf`, conf);
    writeFileSync(`${tls}/nginx.conf`, `pid ${tls}/nginx.pid;\nerror_log ${tls}/error.log;\nevents {}\nhttp { access_log off; include ${tls}/kartiba.conf; }\n`);
    const r = run(nginxBin, ['-t', '-p', tls, '-e', `${tls}/error.log`, '-c', `${tls}/nginx.conf`], { allowFail: true });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /syntax is ok/);
  } finally {
    rmSync(tls, { recursive: true, force: true });
  }
});

test('through nginx: /healthz, the web app and the HTTP API', async () => {
  const health = await http(base, 'GET', '/healthz');
  assert.equal(health.status, 200);
  assert.deepEqual(health.json, { status: 'ok' });

  const index = await http(base, 'GET', '/');
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type'), /text\/html/);
  assert.equal(index.text, readFileSync(path.join(sourceDir, 'clients/web/index.html'), 'utf8'));
  const etag = index.headers.get('etag');
  assert.ok(etag);
  assert.equal((await http(base, 'GET', '/', { headers: { 'If-None-Match': etag } })).status, 304);

  const plans = await http(base, 'GET', '/api/plans', { token: server.adminToken });
  assert.equal(plans.status, 200, plans.text);
  assert.ok(plans.json.plans.some((p) => p.id === 'brussels-2024'));
  assert.equal(plans.headers.get('cache-control'), 'no-store');
  const noToken = await http(base, 'GET', '/api/plans');
  assert.equal(noToken.status, 401);
  assert.match(noToken.headers.get('www-authenticate') ?? '', /Bearer/);

  const ics = await http(base, 'GET', '/api/plans/brussels-2024/agenda.ics', { token: server.adminToken });
  assert.equal(ics.status, 200);
  assert.match(ics.text, /^BEGIN:VCALENDAR/);
});

test('through nginx: a WebSocket session from the page\'s origin — auth, snapshot, command, live events', async () => {
  const seen = await collaborationSession({
    wsUrl: `ws://127.0.0.1:${port}/ws`, httpBase: base, adminToken: server.adminToken,
    origin: base, assert,
  });
  assert.equal(seen.events.length, 2);
  // And the server saw the change: the view over HTTP has it.
  const view = await http(base, 'GET', '/api/plans/brussels-2024', { token: server.adminToken });
  assert.equal(view.json.items.find((i) => i.id === 'bornem').title, 'Bornem (via proxy)');
});

test('through nginx: a WebSocket from a foreign origin is refused (403)', async () => {
  await assert.rejects(openSocket(`ws://127.0.0.1:${port}/ws`, { origin: 'https://evil.example' }), (e) => e.status === 403);
});

test('through nginx: /metrics is not published (the server still answers it directly)', async () => {
  assert.equal((await http(base, 'GET', '/metrics')).status, 404);
  const direct = await http(server.url, 'GET', '/metrics');
  assert.equal(direct.status, 200);
  assert.match(direct.text, /kartiba_http_requests_total/);
});

test('through nginx: a body over the server\'s limit gets the server\'s 413', async () => {
  const r = await http(base, 'POST', '/api/plans/brussels-2024/commands', {
    token: server.adminToken, body: JSON.stringify({ type: 'edit-item', data: { item: 'bornem', description: 'x'.repeat(2 << 20) } }),
  });
  assert.equal(r.status, 413);
  assert.equal(r.json?.error?.code, 'too_large');
});

// ---- The Caddy example (tools/packaging/caddy/Caddyfile), when caddy is installed: the same
// ---- site on plain HTTP on loopback, in front of the same server.
test('through Caddy: the web app, the API, a WebSocket session, /metrics hidden', async (t) => {
  const caddy = process.env.CADDY || which('caddy');
  if (!caddy) return t.skip('caddy is not installed (apt-get install caddy)');
  const cdir = tempDir('caddy');
  const cport = await freePort();
  const cbase = `http://127.0.0.1:${cport}`;
  let shipped = readFileSync(path.join(sourceDir, 'tools/packaging/caddy/Caddyfile'), 'utf8');
  assert.match(shipped, /^plans\.example\.org \{$/m);
  assert.match(shipped, /reverse_proxy 127\.0\.0\.1:8080 /);
  shipped = shipped.replace(/^plans\.example\.org \{$/m, `${cbase} {`).replace('reverse_proxy 127.0.0.1:8080 ', `reverse_proxy 127.0.0.1:${server.port} `);
  // No admin endpoint, no certificates, everything of Caddy's in the temp directory.
  writeFileSync(path.join(cdir, 'Caddyfile'), `{\n\tadmin off\n\tauto_https off\n}\n\n${shipped}`);
  const env = { ...process.env, HOME: cdir, XDG_DATA_HOME: cdir, XDG_CONFIG_HOME: cdir };
  run(caddy, ['validate', '--config', path.join(cdir, 'Caddyfile'), '--adapter', 'caddyfile'], { env });
  const proc = spawnTracked(caddy, ['run', '--config', path.join(cdir, 'Caddyfile'), '--adapter', 'caddyfile'], { env, stdio: 'ignore' });
  try {
    await eventually(async () => (await http(cbase, 'GET', '/healthz')).status === 200, { message: `caddy on ${cbase}` });
    const index = await http(cbase, 'GET', '/');
    assert.equal(index.status, 200);
    assert.equal(index.text, readFileSync(path.join(sourceDir, 'clients/web/index.html'), 'utf8'));
    assert.equal((await http(cbase, 'GET', '/metrics')).status, 404);
    const plans = await http(cbase, 'GET', '/api/plans', { token: server.adminToken });
    assert.equal(plans.status, 200, plans.text);
    const seen = await collaborationSession({ wsUrl: `ws://127.0.0.1:${cport}/ws`, httpBase: cbase, adminToken: server.adminToken, origin: cbase, assert });
    assert.equal(seen.events.length, 2);
    await assert.rejects(openSocket(`ws://127.0.0.1:${cport}/ws`, { origin: 'https://evil.example' }), (e) => e.status === 403);
  } finally {
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
    rmSync(cdir, { recursive: true, force: true });
  }
});
