// One projection truth: the browser's PlanModel (clients/web/js/model.js), fed the events of the
// demo plan and of every engine scenario (tests/engine/scenarios), must equal the server's view
// at each revision (GET /api/plans/{plan}?at=N) in every field it keeps. Conflicts, SDG
// coverage and the pledge board are not kept by the model (it fetches them: adoptView).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { startServer, repoRoot } from '../e2e/lib/server.mjs';
import { PlanModel, normalise } from '../../clients/web/js/model.js';

const SCENARIO_DIR = path.join(repoRoot, 'tests', 'engine', 'scenarios');
const DERIVED_ELSEWHERE = ['conflicts', 'sdg_coverage', 'pledge_board'];

let server;
// It replays every scenario as fast as it can with one token: no rate limit.
before(async () => { server = await startServer({ args: ['--rate', '0'] }); });
after(async () => { await server?.stop(); });

/** The scenarios of one file: [{name, plan: seed|demo|empty, commands: [command…]}]. */
function readScenarios(file) {
  const out = [];
  for (const raw of readFileSync(path.join(SCENARIO_DIR, file), 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    const keyword = line.slice(0, colon).trim();
    const rest = line.slice(colon + 1).trim();
    if (keyword === 'scenario') { out.push({ name: rest, plan: 'seed', commands: [] }); continue; }
    if (!out.length) out.push({ name: '(unnamed)', plan: 'seed', commands: [] });
    const s = out.at(-1);
    if (keyword === 'plan') s.plan = rest;
    if (keyword === 'given' || keyword === 'when') {
      const { as: _actor, ...command } = JSON.parse(rest);   // the actor is the token's name here
      s.commands.push(command);
    }
  }
  return out;
}

const time = (local) => ({ local });
/** tests/engine/test_support.cpp's seed(): plan p at revision 8. */
const SEED = [
  { type: 'add-venue', data: { venue: 'hall', name: 'Lielā zāle', city: 'Rīga' } },
  { type: 'add-venue', data: { venue: 'room', name: 'Mazā istaba' } },
  { type: 'add-person', data: { person: 'anna', name: 'Anna Bērziņa', organisation: 'LPS' } },
  { type: 'add-person', data: { person: 'janis', name: 'Jānis Kalniņš' } },
  { type: 'schedule-item', data: { item: 'talk', title: 'Ievadruna', start: time('2024-05-15T10:00'), end: time('2024-05-15T11:00'), venue: 'hall', speakers: ['anna'], sdgs: [4] } },
  { type: 'schedule-item', data: { item: 'lunch', title: 'Pusdienas', kind: 'meal', start: time('2024-05-15T12:00'), end: time('2024-05-15T13:00') } },
  { type: 'make-pledge', data: { pledge: 'pl', by: { municipality: 'Ādažu novads' }, title: 'Klimata stunda', sdgs: [13], targets: ['13.3'] } },
];

async function createPlan(id, kind) {
  if (kind === 'demo') {
    const doc = JSON.parse(readFileSync(path.join(repoRoot, 'engine', 'data', 'demo', 'brussels-2024.json'), 'utf8'));
    doc.plan.id = id;
    const r = await server.api('POST', '/api/plans/import', doc);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return;
  }
  const r = await server.api('POST', '/api/plans', { id, title: 'Plāns', timezone: 'Europe/Brussels', start_date: '2024-05-15', end_date: '2024-05-17' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  if (kind === 'seed') for (const c of SEED) await command(id, c, true);
}

async function command(plan, c, mustSucceed) {
  const r = await server.api('POST', `/api/plans/${plan}/commands`, c);
  if (mustSucceed) assert.equal(r.status, 200, `${JSON.stringify(c)} → ${JSON.stringify(r.body)}`);
  return r;
}

/** The part of a view the model keeps, with the defaults the client fills in. */
function comparable(view) {
  const v = normalise(view);
  for (const k of DERIVED_ELSEWHERE) delete v[k];
  return v;
}

/** Where two JSON values differ: ["/items/0/title: model \"A\", server \"B\""…]. */
function differences(model, server, at = '') {
  if (Object.is(model, server)) return [];
  const bothObjects = model && server && typeof model === 'object' && typeof server === 'object' && Array.isArray(model) === Array.isArray(server);
  if (!bothObjects) return [`${at || '/'}: model ${JSON.stringify(model)}, server ${JSON.stringify(server)}`];
  const keys = new Set([...Object.keys(model), ...Object.keys(server)]);
  return [...keys].flatMap((k) => differences(model[k], server[k], `${at}/${k}`));
}

/** Plays every event of the plan through a PlanModel started at revision 1; compares at each. */
async function playAndCompare(plan) {
  const { body: events } = await server.api('GET', `/api/plans/${plan}/events?from=0&limit=10000`);
  const list = events.events;
  assert.ok(list.length >= 1);
  const model = new PlanModel(plan);
  const first = await server.api('GET', `/api/plans/${plan}?at=1`);
  model.load(first.body);
  for (const ev of list.slice(1)) {
    assert.equal(model.apply(ev), 'applied', `${plan}: revision ${ev.revision} (${ev.type}) not applied`);
    const { status, body } = await server.api('GET', `/api/plans/${plan}?at=${ev.revision}`);
    assert.equal(status, 200);
    const diffs = differences(comparable(model.view), comparable(body));
    assert.deepEqual(diffs, [], `${plan}: the model differs from the server's view at revision ${ev.revision} (${ev.type} ${JSON.stringify(ev.data)})`);
  }
  return list.length;
}

test('the demo plan, event by event', async () => {
  const n = await playAndCompare('brussels-2024');
  assert.ok(n > 30, `only ${n} events in the demo plan`);
});

const files = readdirSync(SCENARIO_DIR).filter((f) => f.endsWith('.scenario')).sort();
for (const file of files) {
  test(`scenarios of ${file}`, async () => {
    const scenarios = readScenarios(file);
    assert.ok(scenarios.length, `${file} has no scenario`);
    let i = 0;
    for (const s of scenarios) {
      i += 1;
      const plan = `m-${file.replace('.scenario', '').replace(/_/g, '-')}-${i}`;
      await createPlan(plan, s.plan);
      for (const c of s.commands) await command(plan, c, false);   // `when` may be refused: that is the scenario
      await playAndCompare(plan);
    }
  });
}

test('undoing a pledge and a decision (PledgeRemoved, DecisionRemoved), which no scenario covers', async () => {
  const plan = 'm-removals';
  await createPlan(plan, 'seed');
  const decided = await command(plan, { type: 'record-decision', data: { decision: 'd1', title: 'Lēmums', items: ['talk'], pledges: ['pl'] } }, true);
  await command(plan, { type: 'revert', data: { revision: decided.body.revision } }, true);
  await command(plan, { type: 'revert', data: { revision: 8 } }, true);   // the seed's PledgeMade
  const types = (await server.api('GET', `/api/plans/${plan}/events?from=8`)).body.events.map((e) => e.type);
  assert.deepEqual(types, ['DecisionRecorded', 'DecisionRemoved', 'PledgeRemoved']);
  await playAndCompare(plan);
});
