// agenda.ics from the real server, read by ical.js with only the VTIMEZONEs the file carries:
// every event's UTC start and end must equal the plan view's start_utc / end_utc.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ICAL from 'ical.js';
import { startServer, api } from '../cli/lib/kartiba.mjs';

let server;
before(async () => { server = await startServer({ demo: true }); });
after(async () => { await server?.stop(); });

function parseCalendar(text) {
  ICAL.TimezoneService.reset();
  const comp = new ICAL.Component(ICAL.parse(text));
  for (const vtz of comp.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(vtz);
  return comp;
}

async function checkAgainstView(plan) {
  const ics = await api(server, 'GET', `/api/plans/${plan}/agenda.ics`);
  assert.equal(ics.status, 200, ics.text);
  assert.match(ics.headers.get('content-type'), /^text\/calendar/);
  for (const line of ics.text.split('\r\n').slice(0, -1)) {
    assert.ok(Buffer.byteLength(line, 'utf8') <= 75, `longer than 75 octets: ${line}`);
    assert.ok(!line.includes('\n'), 'bare LF');
  }
  const view = (await api(server, 'GET', `/api/plans/${plan}`)).json;
  const comp = parseCalendar(ics.text);
  const events = comp.getAllSubcomponents('vevent');
  assert.equal(events.length, view.items.length);
  const tzids = new Set(comp.getAllSubcomponents('vtimezone').map((z) => z.getFirstPropertyValue('tzid')));
  for (const vevent of events) {
    const ev = new ICAL.Event(vevent);
    const id = ev.uid.replace(`@${plan}.kartiba`, '');
    const item = view.items.find((i) => i.id === id);
    assert.ok(item, `no item for ${ev.uid}`);
    assert.equal(ev.startDate.toUnixTime(), Date.parse(item.start_utc) / 1000, `${id} start`);
    assert.equal(ev.endDate.toUnixTime(), Date.parse(item.end_utc) / 1000, `${id} end`);
    assert.equal(ev.summary, item.title);
    const status = vevent.getFirstPropertyValue('status');
    assert.equal(status, { confirmed: 'CONFIRMED', tentative: 'TENTATIVE', cancelled: 'CANCELLED' }[item.status]);
    const tzid = vevent.getFirstProperty('dtstart').getParameter('tzid');
    if (tzid) assert.ok(tzids.has(tzid), `no VTIMEZONE for ${tzid}`);
  }
  return { comp, view };
}

test('the demo plan: every event at the instant the view says, in both zones', async () => {
  const { comp } = await checkAgainstView('brussels-2024');
  const flight = comp.getAllSubcomponents('vevent').find((v) => v.getFirstPropertyValue('uid') === 'flight-riga-brussels@brussels-2024.kartiba');
  assert.equal(flight.getFirstProperty('dtstart').getParameter('tzid'), 'Europe/Riga');
  assert.equal(flight.getFirstProperty('dtend').getParameter('tzid'), 'Europe/Brussels');
});

test('zones on both sides of DST changes, half-hour offsets, several years, a repeated hour', async () => {
  const created = await api(server, 'POST', '/api/plans', {
    id: 'zones', title: 'Laika joslas', timezone: 'Europe/Riga', start_date: '2024-10-26', end_date: '2025-03-31',
  });
  assert.equal(created.status, 201, created.text);
  const items = [
    ['overnight', { local: '2024-10-26T23:00' }, { local: '2024-10-27T05:00' }],
    ['repeat', { local: '2024-10-27T03:30', offset: '+02:00' }, { local: '2024-10-27T04:30' }],
    ['first', { local: '2024-10-27T03:10', offset: '+03:00' }, { local: '2024-10-27T03:20', offset: '+03:00' }],
    ['nyc', { local: '2024-11-03T01:30', tz: 'America/New_York', offset: '-04:00' }, { local: '2024-11-03T09:00', tz: 'America/New_York' }],
    ['kolkata', { local: '2025-01-10T09:00', tz: 'Asia/Kolkata' }, { local: '2025-01-10T12:00', tz: 'Europe/Riga' }],
    ['spring', { local: '2025-03-30T01:00', tz: 'Europe/Brussels' }, { local: '2025-03-30T04:00', tz: 'Europe/Brussels' }],
  ];
  for (const [item, start, end] of items) {
    const r = await api(server, 'POST', '/api/plans/zones/commands', { type: 'schedule-item', data: { item, title: `Punkts ${item}`, start, end } });
    assert.equal(r.status, 200, r.text);
  }
  const { comp } = await checkAgainstView('zones');
  const zones = comp.getAllSubcomponents('vtimezone').map((z) => z.getFirstPropertyValue('tzid')).sort();
  assert.deepEqual(zones, ['America/New_York', 'Asia/Kolkata', 'Europe/Brussels', 'Europe/Riga']);
});

test('SEQUENCE rises with each change of an item; UIDs stay', async () => {
  const seq = async () => {
    const comp = parseCalendar((await api(server, 'GET', '/api/plans/brussels-2024/agenda.ics')).text);
    const v = comp.getAllSubcomponents('vevent').find((e) => e.getFirstPropertyValue('uid') === 'bornem@brussels-2024.kartiba');
    return v.getFirstPropertyValue('sequence');
  };
  const s0 = await seq();
  await api(server, 'POST', '/api/plans/brussels-2024/commands', { type: 'reschedule-item', data: { item: 'bornem', start: { local: '2024-05-16T10:30' }, end: { local: '2024-05-16T12:30' } } });
  assert.equal(await seq(), s0 + 1);
  await api(server, 'POST', '/api/plans/brussels-2024/commands', { type: 'set-item-status', data: { item: 'bornem', status: 'confirmed' } });
  assert.equal(await seq(), s0 + 2);
  await checkAgainstView('brussels-2024');
});

test('agenda.ics of a plan that does not exist is 404', async () => {
  const r = await api(server, 'GET', '/api/plans/nope/agenda.ics');
  assert.equal(r.status, 404);
  assert.equal(r.json.error.code, 'not_found');
});
