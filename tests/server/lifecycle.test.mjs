// Start, stop and start again: admin bootstrap, the demo plan, graceful shutdown, and a
// restart that keeps plans, events and tokens (and revocations).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  startServer, api, createPlan, issueToken, command, scheduleItem, Client, ADMIN_TOKEN, tempDir, http,
} from './lib/server.mjs';

describe('lifecycle', () => {
  test('restart keeps plans, events, tokens and revocations', async () => {
    const root = tempDir();
    const dataDir = join(root, 'data');
    try {
      let s = await startServer({ dataDir });
      const plan = await createPlan(s);
      for (let i = 0; i < 5; i++) await command(s, plan, scheduleItem(`k${i}`, 8 + i));
      const keep = await issueToken(s, 'organiser', [plan], 'Keeper');
      const gone = await issueToken(s, 'viewer', [plan], 'Gone');
      assert.equal((await api.del(s, `/api/tokens/${gone.id}`)).status, 200);
      const before = await api.get(s, `/api/plans/${plan}/events?from=0`);
      const viewBefore = await api.get(s, `/api/plans/${plan}`);
      assert.equal(await s.stop('SIGTERM'), 0, 'exit 0 on SIGTERM');

      s = await startServer({ dataDir });
      try {
        const after = await api.get(s, `/api/plans/${plan}/events?from=0`);
        assert.deepEqual(after.json, before.json, 'the same events');
        const viewAfter = await api.get(s, `/api/plans/${plan}`);
        assert.deepEqual(viewAfter.json, viewBefore.json, 'the same view');
        assert.deepEqual((await api.get(s, `/api/plans/${plan}/verify`)).json, { ok: true, revision: 6 });
        const ok = await command(s, plan, scheduleItem('k9', 19), keep.token);
        assert.equal(ok.status, 200, ok.text);
        assert.equal(ok.json.revision, 7);
        assert.equal((await api.get(s, `/api/plans/${plan}`, gone.token)).status, 401, 'still revoked');
        const retry = await command(s, plan, { id: before.json.events[1].command, ...scheduleItem('k0', 8) });
        assert.equal(retry.status, 200);
        assert.equal(retry.json.revision, 2, 'command ids survive a restart');
      } finally {
        await s.stop('SIGINT');
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('SIGTERM: in-flight commands are acknowledged, sockets closed, exit 0', async () => {
    const s = await startServer({ args: ['--rate', '0'] });
    try {
      const plan = await createPlan(s);
      const c = await Client.open(s, ADMIN_TOKEN);
      c.send({ type: 'subscribe', plan });
      await c.next((m) => m.type === 'snapshot');
      const ids = Array.from({ length: 30 }, (_, i) => `sd-${i}`);
      for (const [i, id] of ids.entries()) {
        c.send({ type: 'command', plan, command: { id, ...scheduleItem(`sd${i}`, 6 + (i % 12)) } });
      }
      await c.next((m) => m.type === 'ack');  // some are in flight now
      const code = await s.stop('SIGTERM');
      assert.equal(code, 0);
      const closed = await c.closed;
      assert.equal(closed.code, 1001, 'going away');
      // Every command the server acknowledged is in the log after a restart.
      const acked = c.messages.filter((m) => m.type === 'ack').length + 1;
      const again = await startServer({ dataDir: s.data });
      try {
        const view = await api.get(again, `/api/plans/${plan}`);
        assert.ok(view.json.revision >= 1 + acked, `revision ${view.json.revision} < acked ${acked}`);
      } finally {
        await again.stop();
      }
    } finally {
      await s.cleanup();
    }
  });

  test('first start without KARTIBA_ADMIN_TOKEN makes one, stores it 0600 and prints the URL once', async () => {
    const root = tempDir();
    const dataDir = join(root, 'data');
    try {
      let s = await startServer({ dataDir, adminToken: null, args: ['--demo'] });
      const lines = s.stdout.split('\n');
      assert.match(lines[0], /^listening on http:\/\/127\.0\.0\.1:\d+$/);
      await new Promise((r) => setTimeout(r, 100));
      const m = /(http:\/\/\S+\/\?token=([0-9a-f]+)&plan=brussels-2024)/.exec(s.stdout);
      assert.ok(m, `dashboard URL expected in:\n${s.stdout}`);
      const token = m[2];
      const file = join(dataDir, 'admin-token');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(readFileSync(file, 'utf8').trim(), token);
      const plans = await api.get(s, '/api/plans', token);
      assert.equal(plans.status, 200);
      assert.ok(plans.json.plans.some((p) => p.id === 'brussels-2024'), 'the demo plan is loaded');
      const demo = await api.get(s, '/api/plans/brussels-2024', token);
      assert.ok(demo.json.items.length > 5);
      assert.equal(await s.stop(), 0);

      s = await startServer({ dataDir, adminToken: null, args: ['--demo'] });
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(!s.stdout.includes('token='), 'the URL is printed once');
      assert.equal((await api.get(s, '/api/plans', token)).status, 200, 'the stored token still works');
      const revs = (await api.get(s, '/api/plans', token)).json.plans.map((p) => p.id);
      assert.deepEqual(revs, ['brussels-2024'], 'the demo is not loaded twice');
      await s.stop();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('a bad --listen is refused at start', async () => {
    await assert.rejects(startServer({ args: ['--listen', 'nonsense'] }));
  });

  test('POST /api/plans creates with 201 and the view', async () => {
    const s = await startServer();
    try {
      const res = await api.post(s, '/api/plans', { id: 'riga-2025', title: 'Rīga', timezone: 'Europe/Riga' });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.json.id, 'riga-2025');
      assert.equal(res.json.revision, 1);
      const dup = await api.post(s, '/api/plans', { id: 'riga-2025', title: 'Rīga', timezone: 'Europe/Riga' });
      assert.equal(dup.status, 409, dup.text);
      const bad = await http(s, 'POST', '/api/plans', { token: ADMIN_TOKEN, raw: '{"id":"x"' });
      assert.equal(bad.status, 400);
    } finally {
      await s.cleanup();
    }
  });
});
