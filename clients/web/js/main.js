// Entry point: sign-in (from /?token=T&plan=P or the token form), plan choice, then the app;
// or, at /l/SECRET (and /l/SECRET/embed), a public link's read-only dashboard without a token.
import { createApi } from './api.js';
import { setLang, t } from './i18n.js';
import { App } from './ui/app.js';
import { renderSignIn, renderPicker } from './ui/signin.js';
import { createConsole } from './ui/admin.js';

const TOKEN_KEY = 'kartiba.token';
const root = document.getElementById('app');
let app = null;
let screen = null;   // re-renders the sign-in or picker screen after a language switch

function chooseLang(l) {
  localStorage.setItem('kartiba.lang', l);
  setLang(l);
  if (screen) screen();
}

function takeTokenFromUrl() {
  const url = new URL(location.href);
  const token = url.searchParams.get('token');
  if (!token) return;
  sessionStorage.setItem(TOKEN_KEY, token);
  url.searchParams.delete('token');
  history.replaceState(null, '', url);
}

function setPlanInUrl(planId) {
  const url = new URL(location.href);
  if (planId) url.searchParams.set('plan', planId); else url.searchParams.delete('plan');
  history.replaceState(null, '', url);
}

function showSignIn(error) {
  screen = () => renderSignIn(root, {
    error,
    onLang: chooseLang,
    onSubmit: (token) => { sessionStorage.setItem(TOKEN_KEY, token); start(); },
  });
  screen();
}

function signOut() {
  if (app) { app.stop(); app = null; }
  sessionStorage.removeItem(TOKEN_KEY);
  setPlanInUrl(null);
  showSignIn();
}

async function start() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) { showSignIn(); return; }
  const api = createApi(token);
  let plans;
  try {
    plans = await api.plans();
  } catch (err) {
    if (err.status === 401 || err.status === 403) { sessionStorage.removeItem(TOKEN_KEY); showSignIn(t('signin.bad')); return; }
    showSignIn(t('error.load', { msg: err.message }));
    return;
  }
  const wanted = new URL(location.href).searchParams.get('plan');
  if (wanted) { openPlan(api, wanted); return; }
  if (plans.length === 1) { openPlan(api, plans[0].id); return; }
  showPicker(api, plans);
}

async function showPicker(api, plans) {
  // An admin may have no plan yet: the picker then offers the admin console (to create one).
  const isAdmin = await api.tokens().then(() => true, () => false);
  let adminConsole = null;
  const admin = isAdmin ? () => { adminConsole ||= createConsole(api, null); adminConsole.relabel(); return adminConsole.el; } : null;
  screen = () => renderPicker(root, { plans, admin, onLang: chooseLang, onSignOut: signOut, onPick: (id) => openPlan(api, id) });
  screen();
}

function openPlan(api, planId) {
  screen = null;
  setPlanInUrl(planId);
  root.replaceChildren();
  app = new App({
    api, planId, root,
    onSignOut: signOut,
    onPickPlan: async () => {
      app.stop(); app = null;
      setPlanInUrl(null);
      try { showPicker(api, await api.plans()); } catch { signOut(); }
    },
  });
  app.start();
  window.kartiba = app;   // for debugging in the console and for the browser tests
}

/** A public dashboard link: the secret and the mode are in the page's own address. */
function linkFromUrl() {
  const m = location.pathname.match(/^\/l\/([0-9a-f]{64})(\/embed)?\/?$/);
  return m ? { secret: m[1], embed: !!m[2] } : null;
}

function openLink({ secret, embed }) {
  if (embed) document.body.classList.add('embed');
  app = new App({ api: null, planId: null, root, link: secret, embed, onSignOut: () => {}, onPickPlan: () => {} });
  app.start();
  window.kartiba = app;
}

setLang(localStorage.getItem('kartiba.lang') || 'lv');
const link = linkFromUrl();
if (link) openLink(link);
else { takeTokenFromUrl(); start(); }
