// The Debian package end to end on this machine: `cpack -G DEB` in the build directory, install
// it with apt-get (system-wide, as root: that is the point), run the installed server as the
// kartiba user, then remove and purge it and check that nothing is left.
//
// Safe on a machine that matters: it skips (tests/packaging/run.sh) when not root, and refuses
// to touch a kartiba package or user that it did not install itself. A run that was killed
// half-way leaves a marker, and the next run cleans up after it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, chmodSync, chownSync, existsSync, readFileSync, readdirSync, appendFileSync, statSync,
  writeFileSync, rmSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { buildDir, run, which, tempDir, startServer, http } from './lib.mjs';

const cpack = process.env.CPACK_COMMAND || 'cpack';
const version = process.env.KARTIBA_VERSION || '0.1.0';
const marker = '/var/lib/kartiba-packaging-test.installed';
const debName = `kartiba_${version}_amd64.deb`;
const figures = {};
let work, debPath, contents = [];

// dpkg's status of the package; '' when dpkg does not know it (or only as not-installed).
const installed = () => {
  const status = run('dpkg-query', ['-W', '-f=${Status}', 'kartiba'], { allowFail: true }).stdout.trim();
  return /not-installed/.test(status) ? '' : status;
};
const userExists = (name) => run('getent', ['passwd', name], { allowFail: true }).code === 0;
const groupExists = (name) => run('getent', ['group', name], { allowFail: true }).code === 0;
const apt = (...args) => run('apt-get', ['-y', '-q', '--no-install-recommends', ...args],
  { env: { DEBIAN_FRONTEND: 'noninteractive' }, timeout: 900_000 });

before(() => {
  assert.equal(process.getuid(), 0, 'runs as root (run.sh skips otherwise)');
  // A package or user named kartiba that this test did not make: someone's real install.
  if (!existsSync(marker) && (installed() !== '' || userExists('kartiba'))) {
    throw new Error('kartiba is installed on this machine (package or user) and this test did not install it: '
      + 'refusing to replace or purge it. Remove it yourself (apt-get purge kartiba) to run this test.');
  }
  if (existsSync(marker)) {
    // Left by an interrupted run of this test.
    run('apt-get', ['purge', '-y', '-q', 'kartiba'], { allowFail: true, env: { DEBIAN_FRONTEND: 'noninteractive' } });
    rmSync(marker, { force: true });
  }
  work = tempDir('deb');
  chmodSync(work, 0o755); // apt's _apt user reads the .deb from here
});

after(() => {
  if (existsSync(marker)) {
    run('apt-get', ['purge', '-y', '-q', 'kartiba'], { allowFail: true, env: { DEBIAN_FRONTEND: 'noninteractive' } });
    rmSync(marker, { force: true });
  }
  if (work) rmSync(work, { recursive: true, force: true });
  if (Object.keys(figures).length) console.log(`# figures: ${JSON.stringify(figures)}`);
});

test('cpack -G DEB builds the package with its dependencies, maintainer scripts and conffiles', () => {
  const out = path.join(buildDir, debName);
  rmSync(out, { force: true });
  const r = run(cpack, ['-G', 'DEB', '--config', path.join(buildDir, 'CPackConfig.cmake')], { cwd: buildDir, timeout: 900_000 });
  figures.cpack_seconds = +(r.ms / 1000).toFixed(1);
  assert.ok(existsSync(out), `${debName} in the build directory\n${r.stdout}`);
  figures.package_bytes = statSync(out).size;
  debPath = path.join(work, debName);
  copyFileSync(out, debPath);
  chmodSync(debPath, 0o644);

  const field = (name) => run('dpkg-deb', ['-f', debPath, name]).stdout.trim();
  assert.equal(field('Package'), 'kartiba');
  assert.equal(field('Version'), version);
  assert.equal(field('Architecture'), 'amd64');
  const depends = field('Depends');
  // RocksDB is Debian's shared library (so its security updates reach kartiba); its compression
  // libraries come with librocksdb7.8. ICU sorts names by the plan's language.
  for (const lib of ['libc6', 'libstdc++6', 'libssl3', 'libdate-tz3', 'librocksdb7.8', 'libicu72', 'adduser']) {
    assert.match(depends, new RegExp(`\\b${lib.replace(/\+/g, '\\+')}`), `Depends names ${lib}: ${depends}`);
  }
  figures.installed_kib = Number(field('Installed-Size'));

  const control = tempDir('control');
  try {
    run('dpkg-deb', ['-e', debPath, control]);
    for (const s of ['postinst', 'prerm', 'postrm']) {
      assert.ok(statSync(path.join(control, s)).mode & 0o100, `${s} is executable`);
      run('sh', ['-n', path.join(control, s)]);
    }
    assert.equal(readFileSync(path.join(control, 'conffiles'), 'utf8').trim(), '/etc/default/kartiba');
  } finally {
    rmSync(control, { recursive: true, force: true });
  }

  contents = run('dpkg-deb', ['-c', debPath]).stdout.split('\n').filter(Boolean)
    .map((l) => l.split(/\s+/).slice(5).join(' ').replace(/^\./, '')).filter((p) => p && !p.endsWith('/'));
  for (const p of ['/usr/bin/kartiba-server', '/usr/bin/kartiba', '/usr/bin/kartiba-bench', '/usr/share/kartiba/web/index.html',
    '/usr/share/kartiba/demo/brussels-2024.json', '/usr/lib/systemd/system/kartiba.service',
    '/usr/lib/systemd/system/kartiba-backup.timer', '/usr/lib/kartiba/kartiba-backup', '/etc/default/kartiba']) {
    assert.ok(contents.includes(p), `the package holds ${p}`);
  }
});

test('apt-get install ./kartiba_*.deb: the user, the state directory, the files', () => {
  assert.ok(debPath, 'the package was built');
  writeFileSync(marker, `installed by tests/packaging/deb.test.mjs at ${new Date().toISOString()}\n`);
  const r = apt('install', debPath);
  figures.apt_install_seconds = +(r.ms / 1000).toFixed(1);
  assert.match(installed(), /install ok installed/);
  assert.ok(userExists('kartiba'), 'postinst made the kartiba user');
  assert.ok(groupExists('kartiba'), 'and its group');
  const passwd = run('getent', ['passwd', 'kartiba']).stdout.trim().split(':');
  assert.ok(Number(passwd[2]) < 1000, `a system user (uid ${passwd[2]})`);
  assert.equal(passwd[5], '/var/lib/kartiba');
  assert.match(passwd[6], /nologin|false/);
  const st = statSync('/var/lib/kartiba');
  assert.equal(st.mode & 0o777, 0o750);
  assert.equal(st.uid, Number(passwd[2]));
  assert.ok(existsSync('/usr/share/kartiba/web/index.html'));
  assert.match(run('/usr/bin/kartiba', ['--version']).stdout, new RegExp(version.replace(/\./g, '\\.')));
  assert.match(readFileSync('/usr/lib/systemd/system/kartiba.service', 'utf8'), /^ExecStart=\/usr\/bin\/kartiba-server /m);
  // No systemd in a container: postinst must not have tried to start anything.
  if (!existsSync('/run/systemd/system')) assert.doesNotMatch(r.stdout + r.stderr, /systemctl|Failed to/);
  // The binaries are stripped in the package.
  assert.match(run('file', ['-L', '/usr/bin/kartiba-server']).stdout, /, stripped/);
});

test('systemd accepts the installed units; the service\'s sandbox rates well', (t) => {
  const analyze = which('systemd-analyze');
  if (!analyze) return t.skip('systemd-analyze is not installed');
  const units = ['kartiba.service', 'kartiba-backup.service', 'kartiba-backup.timer'].map((u) => `/usr/lib/systemd/system/${u}`);
  const v = run(analyze, ['verify', ...units], { allowFail: true });
  // Complaints about other units of this machine are not ours; ours must be clean.
  const ours = (v.stdout + v.stderr).split('\n').filter((l) => /kartiba/.test(l));
  assert.deepEqual(ours, [], v.stdout + v.stderr);
  const sec = run(analyze, ['security', '--offline=yes', '/usr/lib/systemd/system/kartiba.service'], { allowFail: true });
  const m = (sec.stdout + sec.stderr).match(/Overall exposure level for kartiba\.service: ([\d.]+)/);
  assert.ok(m, sec.stdout + sec.stderr);
  figures.systemd_exposure = Number(m[1]);
  assert.ok(figures.systemd_exposure <= 2.0, `exposure ${m[1]} (0 = locked down, 10 = exposed)`);
});

test('the installed server, run as the kartiba user, serves /healthz, the demo plan and the installed web app', async () => {
  assert.match(installed(), /install ok installed/);
  const uid = Number(run('id', ['-u', 'kartiba']).stdout.trim());
  const gid = Number(run('id', ['-g', 'kartiba']).stdout.trim());
  const data = path.join(work, 'data');
  mkdirSync(data, { mode: 0o750 });
  chownSync(data, uid, gid);
  // A mark in the installed page tells it from the source tree's copy.
  appendFileSync('/usr/share/kartiba/web/index.html', '<!-- installed copy -->\n');

  const started = Date.now();
  // setpriv execs the server as kartiba (no process in between: SIGTERM reaches the server and
  // its exit status is the server's).
  const asKartiba = ['setpriv', '--reuid=kartiba', '--regid=kartiba', '--init-groups', '--'];
  const s = await startServer('/usr/bin/kartiba-server', { dataDir: data, wrap: asKartiba });
  figures.server_start_ms = Date.now() - started;
  try {
    const health = await http(s.url, 'GET', '/healthz');
    assert.equal(health.status, 200);
    assert.deepEqual(health.json, { status: 'ok' });
    const plan = await http(s.url, 'GET', '/api/plans/brussels-2024', { token: s.adminToken });
    assert.equal(plan.status, 200, plan.text);
    assert.equal(plan.json.id, 'brussels-2024');
    assert.ok(plan.json.items.some((i) => i.id === 'bornem'));
    const index = await http(s.url, 'GET', '/');
    assert.equal(index.status, 200);
    assert.match(index.text, /<!-- installed copy -->/, 'the page is /usr/share/kartiba/web/index.html');
    const css = await http(s.url, 'GET', '/app.css');
    assert.equal(css.text, readFileSync('/usr/share/kartiba/web/app.css', 'utf8'));
    // The server's files belong to the kartiba user.
    for (const f of readdirSync(data)) assert.equal(statSync(path.join(data, f)).uid, uid, `${f} is kartiba's`);

    // The daily backup, as the timer runs it, while the server runs.
    const backups = path.join(work, 'backups');
    mkdirSync(backups);
    chownSync(backups, uid, gid);
    const b = run(asKartiba[0], [...asKartiba.slice(1), '/usr/lib/kartiba/kartiba-backup'],
      { env: { KARTIBA_DATA: data, KARTIBA_BACKUP_DIR: backups } });
    const dir = b.stdout.match(/kartiba-backup: (\S+)\n/)?.[1];
    assert.ok(dir && existsSync(path.join(dir, 'kartiba-backup.json')), b.stdout + b.stderr);
    run('/usr/bin/kartiba', ['admin', 'verify', '--data', dir]);
  } finally {
    assert.deepEqual(await s.stop(), { code: 0, signal: null }, 'SIGTERM: exit 0');
  }
});

test('apt-get remove keeps data and settings; purge removes everything', () => {
  assert.match(installed(), /install ok installed/);
  apt('remove', 'kartiba');
  assert.match(installed(), /deinstall ok config-files/);
  for (const p of contents.filter((p) => p !== '/etc/default/kartiba')) assert.ok(!existsSync(p), `${p} is gone after remove`);
  assert.ok(!existsSync('/usr/share/kartiba'), '/usr/share/kartiba is gone');
  assert.ok(existsSync('/etc/default/kartiba'), 'remove keeps the settings (conffile)');
  assert.ok(existsSync('/var/lib/kartiba'), 'remove keeps the data');
  assert.ok(userExists('kartiba'), 'remove keeps the user');

  apt('purge', 'kartiba');
  rmSync(marker, { force: true });
  assert.equal(installed(), '', 'dpkg no longer knows kartiba');
  for (const p of contents) assert.ok(!existsSync(p), `${p} is gone after purge`);
  for (const p of ['/var/lib/kartiba', '/var/backups/kartiba', '/usr/share/doc/kartiba', '/usr/lib/kartiba']) {
    assert.ok(!existsSync(p), `${p} is gone after purge`);
  }
  assert.ok(!userExists('kartiba'), 'purge removes the kartiba user');
  assert.ok(!groupExists('kartiba'), 'and its group');
});
