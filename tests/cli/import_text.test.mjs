// kartiba import-text: the seed document into a plan, through a real server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, kartiba, api, repo, tempDir } from './lib/kartiba.mjs';

const seed = join(repo, '../shared/seed/study-visit-brussels-2024.txt');
const demo = JSON.parse(readFileSync(join(repo, 'engine/data/demo/brussels-2024.json'), 'utf8'));
let server;
before(async () => { server = await startServer({ demo: true }); });
after(async () => { await server?.stop(); });

test('--dry-run prints the requests and that every line was placed; nothing is sent', async () => {
  const r = await kartiba(['import-text', seed, '--plan', 'seed', '--dry-run'], { server });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0], /^POST \/api\/plans \{/);
  assert.equal(lines.filter((l) => l.includes('"type":"schedule-item"')).length, demo.items.length);
  assert.ok(lines.includes('# every line was placed'));
  assert.equal((await api(server, 'GET', '/api/plans/seed')).status, 404);
  const j = await kartiba(['import-text', seed, '--plan', 'seed', '--dry-run', '--json'], { server: undefined, token: '' });
  assert.equal(j.code, 0, j.stderr);
  const out = JSON.parse(j.stdout);
  assert.equal(out.create.timezone, 'Europe/Brussels');
  assert.deepEqual(out.unplaced, []);
});

test('the seed becomes a plan with the demo plan\'s days, times and titles; a second run adds nothing', async () => {
  const r = await kartiba(['import-text', seed, '--plan', 'seed'], { server });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^created seed: 10 items read, \d+ commands sent, revision \d+/);
  const view = (await api(server, 'GET', '/api/plans/seed')).json;
  const want = (await api(server, 'GET', '/api/plans/brussels-2024')).json;
  assert.deepEqual(view.days.map((d) => d.date), want.days.map((d) => d.date));
  assert.deepEqual(view.items.map((i) => [i.title, i.start_utc, i.end_utc, i.status]),
    demo.items.map((d) => want.items.find((i) => i.id === d.id)).map((i) => [i.title, i.start_utc, i.end_utc, i.status]));
  const again = await kartiba(['import-text', seed, '--plan', 'seed'], { server });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /updated seed: 10 items read, 0 commands sent/);
  assert.equal((await api(server, 'GET', '/api/plans/seed')).json.revision, view.revision);
});

test('lines it cannot place are reported; a document without a year needs --year', async () => {
  const dir = tempDir();
  const file = join(dir, 'a.txt');
  writeFileSync(file, 'Darba kārtība\nIevads bez datuma\n3. jūnijs, Rīga\n10:00 – 11:00\nTikšanās (tbc)\n');
  let r = await kartiba(['import-text', file, '--plan', 'june', '--dry-run'], { server });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--year/);
  r = await kartiba(['import-text', file, '--plan', 'june', '--dry-run', '--year', '2025'], { server });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /# not placed: line 2: Ievads bez datuma/);
  assert.match(r.stdout, /"start":\{"local":"2025-06-03T10:00","tz":"Europe\/Riga"\},"status":"tentative"/);
});
