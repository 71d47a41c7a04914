// pledges.csv from the real server, opened by LibreOffice Calc (headless) and written back:
// every cell must come out as the server wrote it — diacritics, quotes, commas, line breaks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, api, tempDir, removeDir } from '../cli/lib/kartiba.mjs';
import { parseCsv } from './lib.mjs';

const soffice = spawnSync('sh', ['-c', 'command -v soffice || command -v libreoffice']).stdout?.toString().trim();
let server;
let dir;
before(async () => {
  server = await startServer({ demo: true });
  dir = tempDir('kartiba-csv-');
});
after(async () => {
  await server?.stop();
  if (dir) removeDir(dir);
});

async function pledgesCsv() {
  const r = await api(server, 'GET', '/api/plans/brussels-2024/pledges.csv');
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^text\/csv; charset=utf-8/);
  return r.text;
}

test('pledges.csv: BOM, CRLF, header, one record per pledge', async () => {
  const res = await fetch(server.url + '/api/plans/brussels-2024/pledges.csv', { headers: { Authorization: 'Bearer ' + (await import('../cli/lib/kartiba.mjs')).ADMIN } });
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const text = bytes.subarray(3).toString('utf8');
  assert.ok(text.endsWith('\r\n'));
  const rows = parseCsv(text);
  const view = (await api(server, 'GET', '/api/plans/brussels-2024')).json;
  assert.equal(rows.length, view.pledges.length + 1);
  assert.deepEqual(rows[0], ['id', 'municipality', 'person', 'title', 'status', 'progress', 'sdgs', 'targets', 'campaign', 'window_from', 'window_to', 'item', 'description']);
});

test('LibreOffice Calc reads pledges.csv cell for cell', { skip: soffice ? false : 'LibreOffice is not installed (tools/setup-deps.sh --tests installs libreoffice-calc-nogui)' }, async () => {
  // Text that needs every kind of quoting.
  const r = await api(server, 'POST', '/api/plans/brussels-2024/commands', {
    type: 'make-pledge',
    data: { pledge: 'quoting', by: { municipality: 'Cēsu novads, "Vidzeme"', person: 'Jānis Bērziņš' },
            title: 'Ēnu diena; “pēdiņas”', description: 'Pirmā rinda\nOtrā rinda, ar komatu un "pēdiņām"', sdgs: [4] },
  });
  assert.equal(r.status, 200, r.text);
  const text = await pledgesCsv();
  const input = join(dir, 'pledges.csv');
  writeFileSync(input, text);
  const out = join(dir, 'out');
  mkdirSync(out, { recursive: true });
  // Import as UTF-8 CSV (44 = comma, 34 = quote, 76 = UTF-8), export as UTF-8 CSV.
  execFileSync(soffice, [
    `-env:UserInstallation=file://${join(dir, 'profile')}`, '--headless',
    '--infilter=CSV:44,34,76,1', '--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76,1', '--outdir', out, input,
  ], { stdio: 'pipe', timeout: 120000 });
  const back = readFileSync(join(out, 'pledges.csv'), 'utf8');
  const ours = parseCsv(text.replace(/^\uFEFF/, ''));
  const theirs = parseCsv(back.replace(/^\uFEFF/, ''));
  assert.equal(theirs[0][0], 'id', 'the BOM must not end up in the first cell');
  assert.equal(theirs.length, ours.length);
  for (let i = 0; i < ours.length; i++) assert.deepEqual(theirs[i], ours[i], `row ${i}`);
  const row = theirs.find((x) => x[0] === 'quoting');
  assert.equal(row[1], 'Cēsu novads, "Vidzeme"');
  assert.equal(row[3], 'Ēnu diena; “pēdiņas”');
  assert.equal(row[12], 'Pirmā rinda\nOtrā rinda, ar komatu un "pēdiņām"');
});
