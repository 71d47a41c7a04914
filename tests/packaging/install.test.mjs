// `cmake --install` into a staging directory (DESTDIR): every file where docs/DEPLOY.md says, the
// systemd units naming the prefix of that install, and the staged server using its own web app
// and demo plan (not the source tree's); the build-tree server using the source tree's.
// The backup script against a running server. Needs no root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, writeFileSync, statSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { buildDir, buildServer, sourceDir, run, tempDir, startServer, http } from './lib.mjs';

const cmake = process.env.CMAKE_COMMAND || 'cmake';
let stage;

before(() => { stage = tempDir('stage'); });
after(() => { if (stage) rmSync(stage, { recursive: true, force: true }); });

test('the build-tree server serves the web app and the demo plan from the source tree', async () => {
  const s = await startServer(buildServer);
  try {
    const index = await http(s.url, 'GET', '/');
    assert.equal(index.status, 200);
    assert.equal(index.text, readFileSync(path.join(sourceDir, 'clients/web/index.html'), 'utf8'));
    const plan = await http(s.url, 'GET', '/api/plans/brussels-2024', { token: s.adminToken });
    assert.equal(plan.status, 200, plan.text);
    assert.ok(plan.json.items.length > 5);
  } finally {
    assert.deepEqual(await s.stop(), { code: 0, signal: null });
  }
});

test('cmake --install to a staging directory puts every file in its place', () => {
  const r = run(cmake, ['--install', buildDir, '--prefix', '/usr'], { env: { DESTDIR: stage } });
  const files = (p) => existsSync(path.join(stage, p));
  for (const p of ['usr/bin/kartiba-server', 'usr/bin/kartiba', 'usr/bin/kartiba-bench',
    'usr/share/kartiba/web/index.html', 'usr/share/kartiba/web/app.css', 'usr/share/kartiba/web/js/main.js',
    'usr/share/kartiba/demo/brussels-2024.json',
    'usr/lib/systemd/system/kartiba.service', 'usr/lib/systemd/system/kartiba-backup.service',
    'usr/lib/systemd/system/kartiba-backup.timer', 'usr/lib/kartiba/kartiba-backup',
    'usr/lib/sysusers.d/kartiba.conf', 'etc/default/kartiba',
    'usr/share/doc/kartiba/README.md', 'usr/share/doc/kartiba/DEPLOY.md',
    'usr/share/doc/kartiba/examples/nginx/kartiba.conf']) {
    assert.ok(files(p), `${p} is installed\n${r.stdout}`);
  }
  assert.ok(!files('usr/share/kartiba/web/README.md'), 'the web app\'s developer README is not installed');
  for (const p of ['usr/bin/kartiba-server', 'usr/bin/kartiba', 'usr/lib/kartiba/kartiba-backup']) {
    assert.ok(statSync(path.join(stage, p)).mode & 0o111, `${p} is executable`);
  }
  // Nothing outside the staging directory: every path cmake reports starts with it.
  const installed = r.stdout.split('\n').filter((l) => /^-- (Installing|Up-to-date): /.test(l)).map((l) => l.replace(/^-- \S+ /, ''));
  assert.ok(installed.length > 20, r.stdout);
  for (const p of installed) assert.ok(p.startsWith(stage + '/'), `${p} is inside DESTDIR`);

  const unit = readFileSync(path.join(stage, 'usr/lib/systemd/system/kartiba.service'), 'utf8');
  assert.match(unit, /^ExecStart=\/usr\/bin\/kartiba-server --data \/var\/lib\/kartiba --listen \$\{KARTIBA_LISTEN\} \$KARTIBA_OPTIONS$/m);
  assert.match(unit, /^EnvironmentFile=-\/etc\/default\/kartiba$/m);
  for (const line of ['User=kartiba', 'StateDirectory=kartiba', 'ReadWritePaths=/var/lib/kartiba', 'ProtectSystem=strict',
    'ProtectHome=yes', 'NoNewPrivileges=yes', 'PrivateTmp=yes', 'ProtectKernelTunables=yes', 'Restart=on-failure']) {
    assert.ok(unit.split('\n').includes(line), `kartiba.service has ${line}`);
  }
  assert.doesNotMatch(unit, /@[A-Z_]+@/, 'no placeholder left');
  const backup = readFileSync(path.join(stage, 'usr/lib/systemd/system/kartiba-backup.service'), 'utf8');
  assert.match(backup, /^ExecStart=\/usr\/lib\/kartiba\/kartiba-backup$/m);
  assert.match(readFileSync(path.join(stage, 'usr/lib/kartiba/kartiba-backup'), 'utf8'), /kartiba=\$\{KARTIBA_CLI:-\/usr\/bin\/kartiba\}/);
});

test('another prefix: the units and the settings file follow it', () => {
  const other = tempDir('stage-opt');
  try {
    run(cmake, ['--install', buildDir, '--prefix', '/opt/kartiba'], { env: { DESTDIR: other } });
    const unit = readFileSync(path.join(other, 'opt/kartiba/lib/systemd/system/kartiba.service'), 'utf8');
    assert.match(unit, /^ExecStart=\/opt\/kartiba\/bin\/kartiba-server /m);
    assert.match(unit, /^EnvironmentFile=-\/opt\/kartiba\/etc\/default\/kartiba$/m);
    assert.ok(existsSync(path.join(other, 'opt/kartiba/etc/default/kartiba')));
    assert.ok(!existsSync(path.join(other, 'etc')), 'nothing in DESTDIR/etc for a prefix other than /usr');
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});

test('the staged server uses the staged web app and demo plan, not the source tree', async () => {
  // Mark the staged copies, so the answers tell where they came from.
  appendFileSync(path.join(stage, 'usr/share/kartiba/web/index.html'), '<!-- staged copy -->\n');
  const demoPath = path.join(stage, 'usr/share/kartiba/demo/brussels-2024.json');
  const demo = JSON.parse(readFileSync(demoPath, 'utf8'));
  demo.plan.title = 'Staged demo plan';
  writeFileSync(demoPath, JSON.stringify(demo));

  const s = await startServer(path.join(stage, 'usr/bin/kartiba-server'));
  try {
    const index = await http(s.url, 'GET', '/');
    assert.equal(index.status, 200);
    assert.match(index.text, /<!-- staged copy -->/);
    const js = await http(s.url, 'GET', '/js/main.js');
    assert.equal(js.status, 200);
    assert.equal(js.text, readFileSync(path.join(stage, 'usr/share/kartiba/web/js/main.js'), 'utf8'));
    const plan = await http(s.url, 'GET', '/api/plans/brussels-2024', { token: s.adminToken });
    assert.equal(plan.status, 200, plan.text);
    assert.equal(plan.json.title, 'Staged demo plan');
  } finally {
    assert.deepEqual(await s.stop(), { code: 0, signal: null });
  }
});

test('kartiba-backup: a live backup of a running server, verified; old backups pruned', async () => {
  const script = path.join(stage, 'usr/lib/kartiba/kartiba-backup');
  const cli = path.join(stage, 'usr/bin/kartiba');
  const backups = tempDir('backups');
  const s = await startServer(path.join(stage, 'usr/bin/kartiba-server'));
  try {
    const env = { KARTIBA_DATA: s.dataDir, KARTIBA_BACKUP_DIR: backups, KARTIBA_BACKUP_KEEP: '2', KARTIBA_CLI: cli };
    const names = [];
    for (let i = 0; i < 3; i++) {
      const r = run(script, [], { env });
      const m = r.stdout.match(/kartiba-backup: (\S+)\n/);
      assert.ok(m, r.stdout + r.stderr);
      names.push(path.basename(m[1]));
      // Backups are named by the second; the next one needs a new name.
      if (i < 2) await new Promise((res) => setTimeout(res, 1100));
    }
    const left = readdirSync(backups).sort();
    assert.deepEqual(left, names.slice(1).sort(), 'the newest two are kept, nothing half-written is left');
    const newest = path.join(backups, names[2]);
    const manifest = JSON.parse(readFileSync(path.join(newest, 'kartiba-backup.json'), 'utf8'));
    assert.equal(manifest.method, 'secondary-copy', 'the server was running');
    assert.ok(manifest.plans['brussels-2024'] >= 1);
    run(cli, ['admin', 'verify', '--data', newest]);
    // Restore into a new directory and serve it.
    const restored = path.join(tempDir('restored'), 'data');
    run(cli, ['admin', 'restore', '--from', newest, '--data', restored]);
    const s2 = await startServer(path.join(stage, 'usr/bin/kartiba-server'), { dataDir: restored });
    try {
      const plan = await http(s2.url, 'GET', '/api/plans/brussels-2024', { token: s2.adminToken });
      assert.equal(plan.status, 200, plan.text);
    } finally {
      await s2.stop();
      rmSync(path.dirname(restored), { recursive: true, force: true });
    }
    // A bad KEEP is refused before anything is written.
    const bad = run(script, [], { env: { ...env, KARTIBA_BACKUP_KEEP: 'x' }, allowFail: true });
    assert.equal(bad.code, 2);
  } finally {
    await s.stop();
    rmSync(backups, { recursive: true, force: true });
    rmSync(s.dataDir, { recursive: true, force: true });
  }
});
