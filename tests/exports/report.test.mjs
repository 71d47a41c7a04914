// report.html through the server: both languages, content type, a viewer may read it, escaping,
// a bad lang is 400 with a clear error, an unknown plan is 404.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api } from '../cli/lib/kartiba.mjs';

let server;
before(async () => { server = await startServer({ demo: true }); });
after(async () => { await server?.stop(); });

const path = '/api/plans/brussels-2024/report.html';

test('report.html in Latvian and English, inline HTML in UTF-8', async () => {
  const lv = await api(server, 'GET', `${path}?lang=lv`);
  assert.equal(lv.status, 200, lv.text.slice(0, 300));
  assert.match(lv.headers.get('content-type'), /^text\/html; charset=utf-8/);
  assert.match(lv.headers.get('content-disposition'), /^inline; filename="brussels-2024-report\.html"/);
  for (const h of ['Vizītes mērķis un organizētāji', 'Delegācija', 'Vizītes norise', 'Lēmumi', 'Apņemšanās', 'IAM pārklājums'])
    assert.ok(lv.text.includes(`<h2>${h}</h2>`), h);
  assert.ok(lv.text.includes('IAM stundas Ādažu novada skolās'));
  assert.ok(lv.text.includes('Eva Baños de Guisasola'));
  assert.match(lv.text, /@page \{ size: A4;/);

  const en = await api(server, 'GET', `${path}?lang=en`);
  assert.equal(en.status, 200);
  for (const h of ['Purpose and organisers', 'Delegation', 'The visit day by day', 'Decisions', 'Pledges', 'SDG coverage'])
    assert.ok(en.text.includes(`<h2>${h}</h2>`), h);

  const byDefault = await api(server, 'GET', path);
  assert.equal(byDefault.status, 200);
  assert.match(byDefault.text, /<html lang="lv">/, 'no lang: the plan language');
});

test('a viewer may read report.html', async () => {
  const issued = await api(server, 'POST', '/api/tokens', { role: 'viewer', plans: ['brussels-2024'], name: 'Lasītājs' });
  assert.equal(issued.status, 201, issued.text);
  const r = await api(server, 'GET', `${path}?lang=en`, undefined, issued.json.token);
  assert.equal(r.status, 200);
  assert.equal((await api(server, 'GET', path, undefined, 'not-a-token')).status, 401);
});

test('report.html escapes user text; lang=xx is 400; an unknown plan is 404', async () => {
  const edit = await api(server, 'POST', '/api/plans/brussels-2024/commands', {
    type: 'update-plan', data: { title: '<script>alert("x")</script> Ādaži' },
  });
  assert.equal(edit.status, 200, edit.text);
  const r = await api(server, 'GET', path);
  assert.ok(!r.text.includes('<script>alert'));
  assert.ok(r.text.includes('<h1>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Ādaži</h1>'));

  const bad = await api(server, 'GET', `${path}?lang=xx`);
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.code, 'invalid');
  assert.equal(bad.json.error.message, 'lang must be lv or en');
  const missing = await api(server, 'GET', '/api/plans/nope/report.html');
  assert.equal(missing.status, 404);
  assert.equal(missing.json.error.code, 'not_found');
});
