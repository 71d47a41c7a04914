// kartiba tokens: create (shown once), list, revoke; what each role may do.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, kartiba } from './lib/kartiba.mjs';

let server;
before(async () => { server = await startServer({ demo: true }); });
after(async () => { await server?.stop(); });

test('create, use, list and revoke tokens', async () => {
  const created = await kartiba(['tokens', 'create', '--role', 'organiser', '--name', 'K. Miķelsone', '--plans', 'brussels-2024'], { server });
  assert.equal(created.code, 0, created.stderr);
  const token = created.stdout.trim();
  assert.match(token, /^\S{16,}$/);
  assert.match(created.stderr, /shown only this once/);

  const sent = await kartiba(['status', 'brussels-2024', 'bornem', 'confirmed'], { server, token });
  assert.equal(sent.code, 0, sent.stderr);
  const history = await kartiba(['history', 'brussels-2024', '--lang', 'lv'], { server });
  assert.match(history.stdout.trim().split('\n').at(-1), /K\. Miķelsone/);

  const list = await kartiba(['tokens', 'list', '--json'], { server });
  const mine = JSON.parse(list.stdout).tokens.find((t) => t.name === 'K. Miķelsone');
  assert.equal(mine.role, 'organiser');
  assert.ok(!('hash' in mine) && !('token' in mine));
  const table = await kartiba(['tokens', 'list'], { server });
  assert.match(table.stdout, new RegExp(`${mine.id}\\s+organiser\\s+K\\. Miķelsone\\s+brussels-2024`));

  const revoked = await kartiba(['tokens', 'revoke', mine.id], { server });
  assert.equal(revoked.code, 0, revoked.stderr);
  const after = await kartiba(['plans'], { server, token });
  assert.equal(after.code, 1);
  assert.match(after.stderr, /unauthorized/);
});

test('a viewer reads but may not send commands; only an admin manages tokens', async () => {
  const created = await kartiba(['tokens', 'create', '--role', 'viewer', '--name', 'Skatītājs', '--plans', 'brussels-2024', '--json'], { server });
  const { token } = JSON.parse(created.stdout);
  assert.equal((await kartiba(['agenda', 'brussels-2024'], { server, token })).code, 0);
  const cmd = await kartiba(['status', 'brussels-2024', 'bornem', 'cancelled'], { server, token });
  assert.equal(cmd.code, 1);
  assert.match(cmd.stderr, /forbidden/);
  const list = await kartiba(['tokens', 'list'], { server, token });
  assert.equal(list.code, 1);
  assert.match(list.stderr, /forbidden/);
  const bad = await kartiba(['tokens', 'create', '--role', 'king', '--name', 'x'], { server });
  assert.equal(bad.code, 2);
});
