// export.json round trip through two real servers: export → import into an empty server →
// export gives the same document; and the other exports agree between the two servers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api } from '../cli/lib/kartiba.mjs';

let a;
let b;
before(async () => {
  a = await startServer({ demo: true });
  b = await startServer({ demo: false });
});
after(async () => {
  await a?.stop();
  await b?.stop();
});

test('export → import into an empty server → export is the same document', async () => {
  // A little history first: changes, a reason, a decision, a release, a revert.
  const cmd = (body) => api(a, 'POST', '/api/plans/brussels-2024/commands', body);
  assert.equal((await cmd({ type: 'reschedule-item', reason: 'Bornem lūdza 10:30', data: { item: 'bornem', start: { local: '2024-05-16T10:30' }, end: { local: '2024-05-16T12:30' } } })).status, 200);
  assert.equal((await cmd({ type: 'publish-release', data: { name: 'v1', note: 'Nosūtīts deputātiem' } })).status, 200);
  const st = await cmd({ type: 'set-item-status', data: { item: 'mechelen', status: 'cancelled' } });
  assert.equal(st.status, 200);
  assert.equal((await cmd({ type: 'revert', data: { revision: st.json.revision } })).status, 200);

  const first = await api(a, 'GET', '/api/plans/brussels-2024/export.json');
  assert.equal(first.status, 200);
  assert.equal((await api(b, 'GET', '/api/plans')).json.plans.length, 0);
  const imported = await api(b, 'POST', '/api/plans/import', first.text);
  assert.equal(imported.status, 201, imported.text);
  const second = await api(b, 'GET', '/api/plans/brussels-2024/export.json');
  assert.equal(second.status, 200);
  assert.deepEqual(second.json, first.json);
  assert.equal(second.text, first.text);

  // The same events give the same files.
  for (const file of ['agenda.ics', 'pledges.csv', 'schedule.json']) {
    const x = await api(a, 'GET', `/api/plans/brussels-2024/${file}`);
    const y = await api(b, 'GET', `/api/plans/brussels-2024/${file}`);
    assert.equal(y.text, x.text, file);
  }
  const verify = await api(b, 'GET', '/api/plans/brussels-2024/verify');
  assert.deepEqual(verify.json, { ok: true, revision: first.json.events.length });
});
