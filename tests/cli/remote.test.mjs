// The kartiba CLI against a real server: reading, commands, friendly verbs, errors, config.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, kartiba, api, tempDir, ADMIN } from './lib/kartiba.mjs';

let server;
before(async () => { server = await startServer({ demo: true }); });
after(async () => { await server?.stop(); });

const run = (args, opts = {}) => kartiba(args, { server, ...opts });
const view = async () => (await api(server, 'GET', '/api/plans/brussels-2024')).json;
const item = async (id) => (await view()).items.find((i) => i.id === id);

test('plans: a table, and JSON with --json', async () => {
  const r = await run(['plans']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^PLAN\s+REVISION\s+TITLE\n/);
  assert.match(r.stdout, /brussels-2024\s+\d+\s+Latvijas pašvaldību/);
  const j = await run(['plans', '--json']);
  assert.equal(JSON.parse(j.stdout).plans[0].id, 'brussels-2024');
});

test('agenda: columns line up although titles are full of diacritics', async () => {
  const r = await run(['agenda', 'brussels-2024']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n').filter((l) => /^\S.*\d\d:\d\d–\d\d:\d\d/.test(l) || /^\s+\d\d:\d\d–/.test(l));
  assert.equal(lines.length, (await view()).items.length);
  // The time column starts at the same column (code points: no wide characters here) in every row.
  const columns = new Set(lines.map((l) => [...l].findIndex((_, i, a) => /\d\d:\d\d–/.test(a.slice(i, i + 6).join('')))));
  assert.equal(columns.size, 1, r.stdout);
  // And the title column, too.
  const titleCol = (l, t) => [...l].join('').indexOf(t) === -1 ? -1 : [...l.slice(0, l.indexOf(t))].length;
  const a = lines.find((l) => l.includes('Lidojums Rīga - Brisele'));
  const b = lines.find((l) => l.includes('Pusdienu pārtraukums'));
  assert.equal(titleCol(a, 'Lidojums'), titleCol(b, 'Pusdienu'));
  assert.match(r.stdout, /trešdiena, 15\. maijs, Brisele/);
  assert.match(r.stdout, /07:30–08:55 \(Riga→Brussels\)/);
  const en = await run(['agenda', 'brussels-2024', '--lang', 'en']);
  assert.match(en.stdout, /Wednesday 15 May, Brisele/);
});

test('cmd: a raw command, the ack, and a stale base answered with a conflict', async () => {
  const before = (await view()).revision;
  const r = await run(['cmd', 'brussels-2024', 'reschedule-item', '--data',
    '{"item":"cor","start":{"local":"2024-05-15T10:15"}}', '--reason', 'agrāk', '--base', String(before)]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^ok: brussels-2024 revision ${before + 1} \\(1 events\\)`));
  assert.equal((await item('cor')).start.local, '2024-05-15T10:15');
  const stale = await run(['cmd', 'brussels-2024', 'reschedule-item', '--data',
    '{"item":"cor","start":{"local":"2024-05-15T10:45"}}', '--base', String(before)]);
  assert.equal(stale.code, 1);
  assert.match(stale.stderr, /^kartiba: conflict: /);
  const json = await run(['cmd', 'brussels-2024', 'set-item-status', '--json', '--id', 'same-id-1', '--data', '{"item":"cor","status":"tentative"}']);
  const ack = JSON.parse(json.stdout);
  assert.equal(ack.ok, true);
  const again = await run(['cmd', 'brussels-2024', 'set-item-status', '--json', '--id', 'same-id-1', '--data', '{"item":"cor","status":"tentative"}']);
  assert.equal(JSON.parse(again.stdout).duplicate, true);
  assert.equal(JSON.parse(again.stdout).revision, ack.revision);
});

test('friendly verbs: schedule, reschedule HH:MM, status, pledge', async () => {
  let r = await run(['schedule', 'brussels-2024', '--item', 'dinner', '--title', 'Vakariņas ar VVSG', '--kind', 'meal',
    '--start', '2024-05-16T19:00', '--end', '21:00', '--topic', 'Sarunas', '--sdgs', '11,17']);
  assert.equal(r.code, 0, r.stderr);
  let it = await item('dinner');
  assert.equal(it.end.local, '2024-05-16T21:00');
  assert.deepEqual(it.sdgs, [11, 17]);
  r = await run(['reschedule', 'brussels-2024', 'dinner', '--start', '19:30', '--end', '21:30', '--reason', 'vēlāk']);
  assert.equal(r.code, 0, r.stderr);
  it = await item('dinner');
  assert.equal(it.start.local, '2024-05-16T19:30');
  assert.equal(it.start.tz, 'Europe/Brussels');
  r = await run(['reschedule', 'brussels-2024', 'dinner', '--start', '2024-05-17T08:00', '--end', '2024-05-17T09:00']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await item('dinner')).day, '2024-05-17');
  r = await run(['status', 'brussels-2024', 'dinner', 'cancelled']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await item('dinner')).status, 'cancelled');
  r = await run(['status', 'brussels-2024', 'dinner', 'maybe']);
  assert.equal(r.code, 2);
  r = await run(['pledge', 'brussels-2024', '--municipality', 'Ādažu novads', '--title', 'Zaļā skola', '--sdgs', '4,13',
    '--person', 'K. Miķelsone', '--from', '2024-09-20', '--to', '2024-09-29', '--id', 'zala-skola']);
  assert.equal(r.code, 0, r.stderr);
  const p = (await view()).pledges.find((x) => x.id === 'zala-skola');
  assert.deepEqual(p.by, { municipality: 'Ādažu novads', person: 'K. Miķelsone' });
  assert.deepEqual(p.sdgs, [4, 13]);
  assert.deepEqual(p.window, { from: '2024-09-20', to: '2024-09-29' });
});

test('errors: the server\'s message on stderr, non-zero exit codes', async () => {
  let r = await run(['agenda', 'nope']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /kartiba: not_found: /);
  r = await run(['cmd', 'brussels-2024', 'reschedule-item', '--data', '{"item":"cor","start":{"local":"2024-05-15T25:00"}}']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /kartiba: invalid: .*\(at \/data\/start\/local\)/);
  r = await run(['cmd', 'brussels-2024', 'reschedule-item', '--data', 'not json']);
  assert.equal(r.code, 2);
  r = await run(['plans'], { token: 'wrong' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /unauthorized/);
  r = await kartiba(['plans'], { env: { KARTIBA_SERVER: 'http://127.0.0.1:1' } });
  assert.equal(r.code, 3);
  assert.match(r.stderr, /cannot reach the server/);
  r = await run(['frobnicate']);
  assert.equal(r.code, 2);
  r = await run(['plans', '--server', 'https://example.org']);
  assert.equal(r.code, 2);
  const j = await run(['agenda', 'nope', '--json']);
  assert.equal(JSON.parse(j.stdout).error.code, 'not_found');
});

test('the token and server come from the config file when not given otherwise', async () => {
  const home = tempDir('kartiba-home-');
  mkdirSync(join(home, '.config/kartiba'), { recursive: true });
  writeFileSync(join(home, '.config/kartiba/config.json'), JSON.stringify({ server: server.url, token: ADMIN }));
  const r = await kartiba(['plans', '--json'], { token: '', env: { HOME: home } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).plans.length, 1);
  // A flag beats the file.
  const f = await kartiba(['plans'], { token: '', env: { HOME: home }, server: undefined });
  assert.equal(f.code, 0);
  const bad = await kartiba(['plans', '--token', 'nope'], { token: '', env: { HOME: home } });
  assert.equal(bad.code, 1);
});

test('view --at, history --lang, changelog', async () => {
  const past = JSON.parse((await run(['view', 'brussels-2024', '--at', '5', '--json'])).stdout);
  assert.equal(past.revision, 5);
  const h = await run(['history', 'brussels-2024', '--lang', 'en']);
  assert.equal(h.code, 0, h.stderr);
  const lines = h.stdout.trim().split('\n');
  assert.equal(lines.length, (await view()).revision);
  assert.match(lines[0], /^r1 /);
  assert.ok(lines.some((l) => l.includes('agrāk')), 'the reason is in the history');
  const lv = await run(['history', 'brussels-2024', '--lang', 'lv', '--json']);
  assert.equal(JSON.parse(lv.stdout.split('\n')[0]).revision, 1);
  const c = await run(['changelog', 'brussels-2024', '--from', '1', '--json']);
  assert.equal(c.code, 0, c.stderr);
  assert.ok(JSON.parse(c.stdout).added.length > 0);
  const text = await run(['changelog', 'brussels-2024', '--from', String((await view()).revision - 3)]);
  assert.match(text.stdout, /^changes from revision/);
});

test('export and import: the file round-trips through a second server', async () => {
  const dir = tempDir();
  const file = join(dir, 'plan.json');
  let r = await run(['export', 'brussels-2024', '-o', file]);
  assert.equal(r.code, 0, r.stderr);
  const other = await startServer({ demo: false });
  try {
    r = await kartiba(['import', file], { server: other });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^imported brussels-2024 at revision \d+/);
    const again = await kartiba(['export', 'brussels-2024'], { server: other });
    assert.deepEqual(JSON.parse(again.stdout), JSON.parse(readFileSync(file, 'utf8')));
    for (const format of ['ics', 'csv', 'schedule', 'html', 'report']) {
      const x = await run(['export', 'brussels-2024', '--format', format]);
      const y = await kartiba(['export', 'brussels-2024', '--format', format], { server: other });
      assert.equal(x.code, 0, x.stderr);
      assert.equal(y.stdout, x.stdout, format);
    }
    const report = await run(['export', 'brussels-2024', '--format', 'report', '--lang', 'en']);
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, /<html lang="en">[\s\S]*<h2>Pledges<\/h2>/);
  } finally {
    await other.stop();
  }
});
