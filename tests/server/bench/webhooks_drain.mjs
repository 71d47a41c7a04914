// How fast one webhook drains a backlog (docs/WEBHOOKS.md, Throughput); not a test:
//   KARTIBA_SERVER=build/server/kartiba-server node tests/server/bench/webhooks_drain.mjs 500
// N commands while the receiver answers 503 (retries every 1–5 ms), then 200: the time until
// the last event arrived.
import { startServer, createPlan, command, scheduleItem, ADMIN_TOKEN } from '../lib/server.mjs';
import { startReceiver } from '../lib/receiver.mjs';
const n = Number(process.argv[2] || 500);
const s = await startServer({ args: ['--webhooks-allow-private', '--rate', '0', '--webhooks-retry-base-ms', '1', '--webhooks-retry-max-ms', '5'] });
let open = false;
const rx = await startReceiver({ respond: () => (open ? 200 : 503) });
const plan = await createPlan(s);
const res = await fetch(`${s.url}/api/plans/${plan}/webhooks`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ url: rx.url }) });
console.log('register', res.status);
const t0 = Date.now();
let last = 0;
for (let i = 0; i < n; i++) last = (await command(s, plan, scheduleItem(`m${i}`, 8 + (i % 10)))).json.revision;
open = true;
const t1 = Date.now();
await rx.until((rs) => rs.some((r) => r.revision === last && r.status === 200), 'all', 600000);
const t2 = Date.now();
console.log(JSON.stringify({ events: n, commands_ms: t1 - t0, all_delivered_ms: t2 - t0, after_last_command_ms: t2 - t1, backlog_drain_per_s: Math.round(n / ((t2 - t1) / 1000)) }));
await rx.close(); await s.cleanup();
