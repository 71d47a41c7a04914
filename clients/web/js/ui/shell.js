// The frame around every tab: header (plan, connection, presence, language), tabs, the replay
// bar, and the active tab's content.
import { h, replaceKeepingFocus } from '../dom.js';
import { t, lang, LANGS } from '../i18n.js';
import { formatShortDate } from '../time.js';
import { contrast } from '../sdg.js';
import { renderAgenda } from './agenda.js';
import { renderPledges } from './pledges.js';
import { renderCoverage } from './coverage.js';
import { renderHistory, renderReplayBar } from './history.js';
import { renderAdmin } from './admin.js';

const TABS = ['agenda', 'pledges', 'sdg', 'history'];
// A public link viewer has no token for the history's HTTP reads.
const PUBLIC_TABS = ['agenda', 'pledges', 'sdg'];

/** The tabs this user sees: the admin console only with an admin token. */
function tabsFor(app) { return app.me?.role === 'admin' ? [...TABS, 'admin'] : TABS; }

export function renderShell(app) {
  const tabs = app.isPublic ? PUBLIC_TABS : tabsFor(app);
  const route = tabs.includes(app.route) ? app.route : 'agenda';
  // A revoked link shows nothing of the plan any more.
  const view = app.isPublic && app.status === 'unauthorized' ? null : app.view;
  document.title = view ? `${view.title} · ${t('app.name')}` : t('app.name');
  document.querySelector('.skip-link').textContent = t('app.skip');
  const slots = app.slots ||= createSlots(app.root);
  replaceKeepingFocus(slots.header, header(app, view));
  replaceKeepingFocus(slots.nav, nav(route, tabs));
  if ((app.replay || route === 'history') && app.model.loaded) {
    const bar = renderReplayBar(app);
    if (bar.parentNode !== slots.replay) slots.replay.replaceChildren(bar);
  } else {
    slots.replay.replaceChildren();
  }
  slots.main.className = `main main-${route}${app.replay ? ' is-replay' : ''}`;
  replaceKeepingFocus(slots.main, view ? tab(app, route, view) : notLoaded(app));
  replaceKeepingFocus(slots.footer, footer());
}

/** The parts of the page re-rendered separately; the replay bar's slot is updated in place. */
function createSlots(root) {
  const slots = {
    header: h('div', { class: 'slot-header' }),
    nav: h('div', { class: 'slot-nav' }),
    replay: h('div', { class: 'slot-replay' }),
    main: h('main', { id: 'main', tabindex: '-1' }),
    footer: h('div', { class: 'slot-footer' }),
  };
  root.replaceChildren(slots.header, slots.nav, slots.replay, slots.main, slots.footer);
  return slots;
}

function notLoaded(app) {
  if (app.isPublic && app.status === 'unauthorized') return h('p', { class: 'loading form-error', 'data-key': 'link-revoked' }, t('link.revoked'));
  if (app.status === 'unauthorized') {
    return h('p', { class: 'loading form-error' }, t('conn.unauthorized'), ' ',
      h('button', { type: 'button', class: 'btn', onclick: () => app.onSignOut() }, t('signin.title')));
  }
  if (app.loadError) {
    return h('p', { class: 'loading form-error' }, t('error.load', { msg: app.loadError }), ' ',
      h('button', { type: 'button', class: 'btn', onclick: () => app.onPickPlan() }, t('picker.switch')));
  }
  return h('p', { class: 'loading' }, t('loading'));
}

function tab(app, route, view) {
  switch (route) {
    case 'agenda': return renderAgenda(app, view);
    case 'pledges': return renderPledges(app, view);
    case 'sdg': return renderCoverage(app, view);
    case 'history': return renderHistory(app, view);
    case 'admin': return renderAdmin(app);
    default: throw new Error(`no tab ${route}`);
  }
}

function header(app, view) {
  if (app.embed) {
    // Embedded in another site's page: the plan and whether it is live, nothing of the app.
    return h('header', { class: 'topbar topbar-embed' },
      h('h1', { class: 'plan-title' }, view ? view.title : ''),
      h('div', { class: 'top-tools' }, connection(app)));
  }
  const dates = view && view.start_date
    ? `${formatShortDate(view.start_date)} – ${formatShortDate(view.end_date)}` : '';
  return h('header', { class: 'topbar' },
    h('div', { class: 'brand', 'aria-hidden': 'true' }, h('span', { class: 'brand-mark' }), t('app.name')),
    h('div', { class: 'plan-head' },
      h('h1', { class: 'plan-title', title: view ? view.title : null }, view ? view.title : app.planId),
      view ? h('p', { class: 'plan-meta' }, [dates, view.place, view.organiser].filter(Boolean).join(' · ')) : null),
    h('div', { class: 'top-tools' },
      connection(app),
      presence(app),
      h('div', { class: 'lang-switch', role: 'group', 'aria-label': t('lang.switch') },
        LANGS.map((l) => h('button', {
          type: 'button', class: 'lang-btn', 'aria-pressed': String(lang() === l), 'data-key': `lang-${l}`,
          lang: l, onclick: () => app.setLanguage(l),
        }, l.toUpperCase()))),
      app.isPublic ? h('div', { class: 'account' }, h('span', { class: 'me' }, t('role.public'))) : h('div', { class: 'account' },
        app.me ? h('span', { class: 'me' }, app.me.actor, ' · ', t(`role.${app.me.role}`) || app.me.role) : null,
        h('button', { type: 'button', class: 'link-btn', 'data-key': 'pick-plan', onclick: () => app.onPickPlan() }, t('picker.switch')),
        h('button', { type: 'button', class: 'link-btn', 'data-key': 'sign-out', onclick: () => app.onSignOut() }, t('signin.out')))));
}

function connection(app) {
  const queued = app.conn.outbox.size;
  const s = app.status;
  const label = { online: t('conn.online'), connecting: t('conn.connecting'), offline: t('conn.offline'), unauthorized: t('conn.unauthorized') }[s] || s;
  const retry = s === 'offline' && app.conn.retryAt ? Math.max(1, Math.round((app.conn.retryAt - Date.now()) / 1000)) : null;
  return h('div', { class: `conn conn-${s}`, role: 'status', 'data-status': s, title: retry ? t('conn.retry', { s: retry }) : null },
    h('span', { class: 'conn-dot', 'aria-hidden': 'true' }),
    h('span', { class: 'conn-label' }, label),
    queued ? h('span', { class: 'conn-queued', 'data-queued': String(queued) }, t('conn.queued', { n: queued })) : null);
}

function presence(app) {
  const users = dedupe(app.presence);
  if (!users.length) return null;
  return h('div', { class: 'presence', 'aria-label': t('presence.label') },
    h('span', { class: 'visually-hidden' }, t('presence.label'), ': '),
    h('ul', { class: 'avatars' }, users.map((u) => h('li', {
      class: 'avatar', title: u.actor + (app.me && u.actor === app.me.actor ? ' ' + t('presence.you') : ''),
      style: { background: colourFor(u.actor) },
    }, h('span', { 'aria-hidden': 'true' }, initials(u.actor)), h('span', { class: 'visually-hidden' }, u.actor, '; ')))));
}

function footer() {
  return h('footer', { class: 'app-footer no-print' },
    h('a', { href: `accessibility.html#${lang()}`, 'data-key': 'a11y-link' }, t('a11y.link')));
}

function nav(route, tabs) {
  return h('nav', { class: 'tabs', 'aria-label': t('nav.label') },
    tabs.map((id) => h('a', {
      href: `#${id}`, class: 'tab', 'data-key': `tab-${id}`, 'aria-current': id === route ? 'page' : null,
    }, t(`nav.${id === 'sdg' ? 'sdg' : id}`))));
}

function dedupe(users) {
  const seen = new Map();
  for (const u of users) if (u && u.actor && (!seen.has(u.actor) || u.editing)) seen.set(u.actor, u);
  return [...seen.values()];
}

export function initials(name) {
  return name.split(/[\s.]+/).filter(Boolean).slice(0, 2).map((w) => w[0].toUpperCase()).join('') || '?';
}

/** A stable colour per person, dark enough for white initials (4.5:1, WCAG AA). */
export function colourFor(name) {
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  const hue = hash % 360;
  let light = 38;
  while (light > 10 && contrast(hslHex(hue, 55, light), '#ffffff') < 4.6) light -= 2;
  return hslHex(hue, 55, light);
}

function hslHex(hue, sat, light) {
  const s = sat / 100, l = light / 100;
  const f = (n) => {
    const k = (n + hue / 30) % 12;
    const c = l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(c * 255).toString(16).padStart(2, '0');
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}
