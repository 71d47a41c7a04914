// schedule.json from the real server, validated with ajv against the c3voc schedule schema
// kept in shared/schemas (beside the repository).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { startServer, api, repo } from '../cli/lib/kartiba.mjs';

const require = createRequire(import.meta.url);
const schemaPath = process.env.KARTIBA_SCHEDULE_SCHEMA || join(repo, '../shared/schemas/c3voc-schedule.schema.json');

let server;
let validate;
before(async () => {
  server = await startServer({ demo: true });
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
  addFormats(ajv);
  ajv.addFormat('color', /^#[0-9a-fA-F]{3,8}$/);
  validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
});
after(async () => { await server?.stop(); });

function check(doc) {
  const ok = validate(doc);
  assert.ok(ok, JSON.stringify(validate.errors, null, 2));
}

test('the schema accepts its own pretalx example (the validator is set up right)', () => {
  check(JSON.parse(readFileSync(join(schemaPath, '../c3voc-schedule.example-pretalx.json'), 'utf8')));
});

test('schedule.json of the demo plan is valid', async () => {
  const r = await api(server, 'GET', '/api/plans/brussels-2024/schedule.json');
  assert.equal(r.status, 200, r.text);
  check(r.json);
  const conf = r.json.schedule.conference;
  assert.equal(conf.acronym, 'brussels_2024');
  assert.equal(conf.days.length, 3);
  const events = conf.days.flatMap((d) => Object.values(d.rooms).flat());
  const view = (await api(server, 'GET', '/api/plans/brussels-2024')).json;
  assert.equal(events.length, view.items.filter((i) => i.status !== 'cancelled').length);
  const key = (title, start, end) => `${title} ${start} ${end}`;
  const got = events.map((e) => key(e.title, Date.parse(e.date), Date.parse(e.end))).sort();
  const want = view.items.filter((i) => i.status !== 'cancelled')
    .map((i) => key(i.title, Date.parse(i.start_utc), Date.parse(i.end_utc))).sort();
  assert.deepEqual(got, want);
});

test('schedule.json with a base URL, a track, odd titles and a cancelled item is valid', async () => {
  await api(server, 'POST', '/api/plans/brussels-2024/commands', { type: 'edit-item', data: { item: 'cor', track: 'IAM 16' } });
  await api(server, 'POST', '/api/plans/brussels-2024/commands', { type: 'set-item-status', data: { item: 'mechelen', status: 'cancelled' } });
  await api(server, 'POST', '/api/plans/brussels-2024/commands', {
    type: 'schedule-item', data: { item: 'x', title: '— ! —', start: { local: '2024-05-17T23:30' }, end: { local: '2024-05-18T01:00' } },
  });
  const r = await api(server, 'GET', '/api/plans/brussels-2024/schedule.json?base_url=' + encodeURIComponent('https://kartiba.example/app/'));
  assert.equal(r.status, 200, r.text);
  check(r.json);
  assert.equal(r.json.schedule.base_url, 'https://kartiba.example/app/');
  const titles = r.json.schedule.conference.days.flatMap((d) => Object.values(d.rooms).flat()).map((e) => e.title);
  assert.ok(!titles.includes('Tikšanās Mechelen pašvaldībā'));
  assert.ok(titles.includes('— ! —'));
});

test('a base_url that is not an http(s) URL is refused', async () => {
  const r = await api(server, 'GET', '/api/plans/brussels-2024/schedule.json?base_url=javascript:alert(1)');
  assert.equal(r.status, 400);
  assert.equal(r.json.error.code, 'invalid');
});
