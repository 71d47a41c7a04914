// The hostile-input suites' common ground: one server, one plan `target` that every hostile
// request aims at, and the check after each case that the server is up, serves others, and
// the plan's revision did not move.
import assert from 'node:assert/strict';
import { startServer, createPlan, issueToken, command, api, healthy } from './harness.mjs';

export const PLAN = 'target';

export async function hostileServer(args = []) {
  const s = await startServer({ args: ['--rate', '0', '--idle-timeout', '5', ...args] });
  await createPlan(s, PLAN);
  for (const c of [
    { type: 'schedule-item', data: { item: 'it', title: 'Item', start: { local: '2024-05-15T10:00' }, end: { local: '2024-05-15T11:00' } } },
    { type: 'make-pledge', data: { pledge: 'pl', by: { municipality: 'Ādažu novads' }, title: 'Pledge', sdgs: [13] } },
    { type: 'add-person', data: { person: 'anna', name: 'Anna' } },
  ]) {
    const res = await command(s, PLAN, c);
    assert.equal(res.status, 200, res.text);
  }
  const organiser = (await issueToken(s, 'organiser', [PLAN], 'Hostile Organiser')).token;
  const bystander = (await issueToken(s, 'viewer', [PLAN], 'Bystander')).token;
  const revision = (await api.get(s, `/api/plans/${PLAN}`)).json.revision;
  return { s, organiser, bystander, revision };
}

// The server is up, serves another client, and the plan is where it was.
export async function assertUnharmed(ctx, what) {
  assert.ok(await healthy(ctx.s), `${what}: /healthz failed`);
  const view = await api.get(ctx.s, `/api/plans/${PLAN}`, ctx.bystander);
  assert.equal(view.status, 200, `${what}: a bystander cannot read: ${view.text}`);
  assert.equal(view.json.revision, ctx.revision, `${what}: the plan's revision moved`);
}
