// Checks shared by the reliability suites: a plan's log against what clients were told.
import assert from 'node:assert/strict';
import { api, allEvents, freshReplay, ADMIN_TOKEN } from './harness.mjs';

// The plan's log is revisions 1..N, each once, in order, with increasing seqs; the server's
// own walk of the hash chain agrees. Returns the events.
export async function checkLog(server, plan) {
  const events = await allEvents(server, plan);
  events.forEach((e, i) => {
    assert.equal(e.revision, i + 1, `${plan}: the log has revision ${e.revision} at position ${i + 1}`);
    assert.equal(e.plan, plan);
    if (i > 0) assert.ok(e.seq > events[i - 1].seq, `${plan}: seq goes back at revision ${e.revision}`);
  });
  const verify = await api.get(server, `/api/plans/${plan}/verify`);
  assert.equal(verify.status, 200, verify.text);
  assert.deepEqual(verify.json, { ok: true, revision: events.length }, `${plan}: verify`);
  return events;
}

// Every command id in the log appears as one run of consecutive revisions (applied once).
// Returns Map id → [revisions].
export function commandRuns(plan, events) {
  const runs = new Map();
  for (const e of events) {
    const run = runs.get(e.command);
    if (run) {
      assert.equal(run[run.length - 1], e.revision - 1,
        `${plan}: command ${e.command} appears twice (revisions ${run.join(',')} and ${e.revision})`);
      run.push(e.revision);
    } else {
      runs.set(e.command, [e.revision]);
    }
  }
  return runs;
}

// An acknowledged command is in the log exactly as its ack said: same revisions, same hashes.
export function checkAcked(plan, events, runs, id, ack) {
  const revisions = runs.get(id);
  assert.ok(revisions, `${plan}: acknowledged command ${id} (revision ${ack.revision}) is not in the log`);
  assert.deepEqual(revisions, ack.events.map((e) => e.revision), `${plan}: command ${id} has other revisions than its ack`);
  for (const e of ack.events) {
    assert.equal(events[e.revision - 1].hash, e.hash, `${plan}: revision ${e.revision} differs from what the ack said`);
  }
}

// The live server's views (now and at a few past revisions) equal those of a server that
// replayed each plan's log from the first event. `revisions` maps plan → revisions to compare.
export async function checkViewsEqualReplay(server, plans, pastRevisions = {}) {
  const replay = await freshReplay(server, plans);
  try {
    for (const plan of plans) {
      const live = await api.get(server, `/api/plans/${plan}`);
      const fresh = await api.get(replay, `/api/plans/${plan}`);
      assert.equal(live.status, 200, live.text);
      assert.equal(fresh.status, 200, fresh.text);
      assert.deepEqual(live.json, fresh.json, `${plan}: the live view differs from a fresh replay of the log`);
      for (const rev of pastRevisions[plan] || []) {
        const a = await api.get(server, `/api/plans/${plan}?at=${rev}`);
        const b = await api.get(replay, `/api/plans/${plan}?at=${rev}`);
        assert.equal(a.status, 200, a.text);
        assert.deepEqual(a.json, b.json, `${plan}: the view at revision ${rev} differs from a fresh replay`);
      }
    }
  } finally {
    await replay.cleanup();
  }
}

export { ADMIN_TOKEN };
