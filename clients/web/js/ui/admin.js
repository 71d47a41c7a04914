// The admin console (admin tokens only): plans (create one, import an export.json) and tokens
// (issue, list, revoke, copy the sign-in link /?token=T&plan=P). It is one persistent element per
// app, updated in place, so a live update of the plan never wipes a half-filled form.
import { h, field, uid } from '../dom.js';
import { t, lang, LANGS } from '../i18n.js';
import { formatInstant, timeZones } from '../time.js';

const ROLES = ['organiser', 'viewer', 'admin'];

/** The console's element for this app (made on first use). */
export function renderAdmin(app) {
  const c = app.adminConsole ||= createConsole(app.api, app.planId);
  c.relabel();
  return c.el;
}

/** @param {object} api  createApi(token); @param {string|null} currentPlan  preselected in the forms */
export function createConsole(api, currentPlan) {
  const state = { plans: [], tokens: [], error: null };
  const plansList = h('ul', { class: 'admin-list', 'data-list': 'plans' });
  const tokensBody = h('tbody');
  const issued = h('div', { class: 'issued', 'aria-live': 'polite' });
  const planProblem = h('p', { class: 'form-error', role: 'alert' });
  const importProblem = h('p', { class: 'form-error', role: 'alert' });
  const tokenProblem = h('p', { class: 'form-error', role: 'alert' });
  const loadProblem = h('p', { class: 'form-error', role: 'alert' });
  const planDone = h('p', { class: 'done', role: 'status' });
  const labels = [];   // [element, key] re-labelled on a language switch
  const L = (tag, props, key) => { const el = h(tag, props, t(key)); labels.push([el, key]); return el; };
  const F = (key, control, hintKey) => {
    const f = field(t(key), control, hintKey ? t(hintKey) : null);
    labels.push([f.querySelector('label'), key]);
    if (hintKey) labels.push([f.querySelector('.hint'), hintKey]);
    return f;
  };

  // --- plans ---
  const np = {
    id: h('input', { type: 'text', maxlength: '64', 'data-key': 'admin-plan-id', 'data-field': 'plan-id', autocomplete: 'off', spellcheck: 'false' }),
    title: h('input', { type: 'text', maxlength: '200', 'data-key': 'admin-plan-title', 'data-field': 'plan-title' }),
    timezone: h('input', { type: 'text', list: 'admin-tz', value: 'Europe/Riga', 'data-key': 'admin-plan-tz', 'data-field': 'plan-timezone' }),
    language: h('select', { 'data-key': 'admin-plan-lang', 'data-field': 'plan-language' }, LANGS.map((l) => h('option', { value: l }, l.toUpperCase()))),
    start: h('input', { type: 'date', 'data-key': 'admin-plan-start', 'data-field': 'plan-start' }),
    end: h('input', { type: 'date', 'data-key': 'admin-plan-end', 'data-field': 'plan-end' }),
  };
  const createPlan = async (e) => {
    e.preventDefault();
    planProblem.textContent = planDone.textContent = '';
    const fields = { id: np.id.value.trim(), title: np.title.value.trim(), timezone: np.timezone.value.trim(), language: np.language.value };
    if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(fields.id)) { np.id.focus(); planProblem.textContent = t('admin.badPlanId'); return; }
    if (!fields.title) { np.title.focus(); planProblem.textContent = t('editor.required', { field: t('admin.planTitle') }); return; }
    if (np.start.value) fields.start_date = np.start.value;
    if (np.end.value) fields.end_date = np.end.value;
    try {
      await api.createPlan(fields);
      planDone.textContent = t('admin.planCreated', { id: fields.id });
      for (const el of [np.id, np.title, np.start, np.end]) el.value = '';
      await load();
    } catch (err) { planProblem.textContent = t('admin.failed', { msg: err.message }); }
  };
  const file = h('input', { type: 'file', accept: '.json,application/json', 'data-key': 'admin-import-file', 'data-field': 'import-file' });
  const importPlan = async (e) => {
    e.preventDefault();
    importProblem.textContent = planDone.textContent = '';
    const f = file.files?.[0];
    if (!f) { file.focus(); importProblem.textContent = t('admin.chooseFile'); return; }
    let doc;
    try { doc = JSON.parse(await f.text()); } catch { importProblem.textContent = t('admin.notJson', { name: f.name }); return; }
    try {
      const view = await api.importPlan(doc);
      planDone.textContent = t('admin.imported', { id: view?.id || doc?.plan?.id || '', n: view?.revision ?? 0 });
      file.value = '';
      await load();
    } catch (err) { importProblem.textContent = t('admin.failed', { msg: err.message }); }
  };

  // --- tokens ---
  const nt = {
    name: h('input', { type: 'text', maxlength: '200', 'data-key': 'admin-token-name', 'data-field': 'token-name', autocomplete: 'off' }),
    role: h('select', { 'data-key': 'admin-token-role', 'data-field': 'token-role' }),
    plans: h('div', { class: 'check-list', 'data-field': 'token-plans' }),
  };
  const plansLegend = L('legend', null, 'admin.tokenPlans');
  const issueToken = async (e) => {
    e.preventDefault();
    tokenProblem.textContent = '';
    const name = nt.name.value.trim();
    const plans = [...nt.plans.querySelectorAll('input:checked')].map((x) => x.value);
    if (!name) { nt.name.focus(); tokenProblem.textContent = t('editor.required', { field: t('admin.tokenName') }); return; }
    if (nt.role.value !== 'admin' && !plans.length) { tokenProblem.textContent = t('admin.needPlan'); nt.plans.querySelector('input')?.focus(); return; }
    try {
      const r = await api.issueToken({ name, role: nt.role.value, plans });
      showIssued(r.token, name, plans);
      nt.name.value = '';
      await load();
    } catch (err) { tokenProblem.textContent = t('admin.failed', { msg: err.message }); }
  };
  let lastIssued = null;
  function showIssued(token, name, plans, { focus = true } = {}) {
    lastIssued = [token, name, plans];
    const link = `${location.origin}/?token=${encodeURIComponent(token)}${plans[0] ? `&plan=${encodeURIComponent(plans[0])}` : ''}`;
    const linkId = uid('link');
    const copied = h('span', { class: 'muted', role: 'status' });
    issued.replaceChildren(h('div', { class: 'issued-box' },
      h('p', null, h('strong', null, t('admin.issuedFor', { name }))),
      h('p', { class: 'hint' }, t('admin.issuedOnce')),
      h('label', { for: linkId }, t('admin.signInLink')),
      h('input', { type: 'text', id: linkId, readonly: true, value: link, class: 'issued-link', 'data-field': 'sign-in-link' }),
      h('div', { class: 'row' },
        h('button', { type: 'button', class: 'btn btn-primary', 'data-action': 'copy-link', onclick: async () => {
          const ok = await copy(link, issued.querySelector('.issued-link'));
          copied.textContent = ok ? t('admin.copied') : t('admin.copyByHand');
        } }, t('admin.copyLink')),
        copied)));
    if (!focus) return;
    issued.querySelector('.issued-link').focus();
    issued.querySelector('.issued-link').select();
  }

  const revoke = async (button, tok) => {
    if (button.dataset.armed !== 'yes') { button.dataset.armed = 'yes'; button.textContent = t('admin.revokeConfirm'); return; }
    button.disabled = true;
    try { await api.revokeToken(tok.id); await load(); }
    catch (err) { button.disabled = false; loadProblem.textContent = t('admin.failed', { msg: err.message }); }
  };

  const el = h('div', { class: 'admin' },
    L('h2', { class: 'section-title' }, 'admin.title'),
    loadProblem,
    h('div', { class: 'admin-cols' },
      h('section', { class: 'panel', 'aria-labelledby': 'admin-plans-h' },
        L('h3', { id: 'admin-plans-h', class: 'panel-title' }, 'admin.plans'),
        plansList,
        h('form', { class: 'admin-form', 'data-form': 'create-plan', onsubmit: createPlan, 'aria-labelledby': 'admin-new-plan-h' },
          L('h4', { id: 'admin-new-plan-h' }, 'admin.newPlan'),
          h('div', { class: 'row' }, F('admin.planId', np.id, 'admin.planIdHint'), F('admin.planTitle', np.title)),
          h('div', { class: 'row' }, F('admin.timezone', np.timezone), F('admin.language', np.language)),
          h('div', { class: 'row' }, F('settings.startDate', np.start), F('settings.endDate', np.end)),
          h('datalist', { id: 'admin-tz' }, timeZones().map((z) => h('option', { value: z }))),
          planProblem, planDone,
          L('button', { type: 'submit', class: 'btn btn-primary', 'data-action': 'create-plan' }, 'admin.create')),
        h('form', { class: 'admin-form', 'data-form': 'import-plan', onsubmit: importPlan, 'aria-labelledby': 'admin-import-h' },
          L('h4', { id: 'admin-import-h' }, 'admin.import'),
          F('admin.importFile', file, 'admin.importHint'),
          importProblem,
          L('button', { type: 'submit', class: 'btn', 'data-action': 'import-plan' }, 'admin.importButton'))),
      h('section', { class: 'panel', 'aria-labelledby': 'admin-tokens-h' },
        L('h3', { id: 'admin-tokens-h', class: 'panel-title' }, 'admin.tokens'),
        h('div', { class: 'table-wrap' }, h('table', { class: 'tokens' },
          h('thead', null, h('tr', null,
            L('th', { scope: 'col' }, 'admin.tokenName'), L('th', { scope: 'col' }, 'admin.role'),
            L('th', { scope: 'col' }, 'admin.tokenPlans'), L('th', { scope: 'col' }, 'admin.created'),
            L('th', { scope: 'col' }, 'admin.state'))),
          tokensBody)),
        h('form', { class: 'admin-form', 'data-form': 'issue-token', onsubmit: issueToken, 'aria-labelledby': 'admin-issue-h' },
          L('h4', { id: 'admin-issue-h' }, 'admin.issue'),
          h('div', { class: 'row' }, F('admin.tokenName', nt.name, 'admin.tokenNameHint'), F('admin.role', nt.role)),
          h('fieldset', null, plansLegend, nt.plans),
          tokenProblem,
          L('button', { type: 'submit', class: 'btn btn-primary', 'data-action': 'issue-token' }, 'admin.issueButton'),
          issued))));

  function renderLists() {
    plansList.replaceChildren(...state.plans.map((p) => h('li', { 'data-plan': p.id },
      h('a', { href: `/?plan=${encodeURIComponent(p.id)}` }, p.title || p.id),
      h('span', { class: 'muted' }, ` · ${p.id}${p.revision ? ` · ${t('picker.revision', { n: p.revision })}` : ''}`))));
    const chosen = new Set([...nt.plans.querySelectorAll('input:checked')].map((x) => x.value));
    if (!nt.plans.children.length && currentPlan) chosen.add(currentPlan);
    nt.plans.replaceChildren(...state.plans.map((p) => {
      const id = uid('tp');
      return h('span', { class: 'check' }, h('input', { type: 'checkbox', id, value: p.id, checked: chosen.has(p.id) }), h('label', { for: id }, p.title ? `${p.id} — ${p.title}` : p.id));
    }));
    tokensBody.replaceChildren(...state.tokens.map((tok) => h('tr', { 'data-token': tok.id, class: tok.revoked ? 'is-revoked' : null },
      h('td', null, tok.name), h('td', null, t(`role.${tok.role}`)), h('td', null, (tok.plans || []).join(', ') || '—'),
      h('td', null, tok.created ? formatInstant(tok.created) : ''),
      h('td', null, tok.revoked
        ? t('admin.revokedAt', { at: formatInstant(tok.revoked) })
        : h('button', { type: 'button', class: 'btn btn-small btn-danger', 'data-action': 'revoke-token',
          'aria-label': t('admin.revokeOf', { name: tok.name }), onclick: (e) => revoke(e.currentTarget, tok) }, t('admin.revoke'))))));
  }

  async function load() {
    try {
      const [plans, tokens] = await Promise.all([api.plans(), api.tokens()]);
      state.plans = plans;
      state.tokens = tokens;
      loadProblem.textContent = '';
    } catch (err) {
      loadProblem.textContent = t('error.load', { msg: err.message });
    }
    renderLists();
    el.dataset.loaded = 'yes';
  }

  let shownLang = null;
  /** After a language switch: every label again (the rest of the time the element stays as it is). */
  function relabel() {
    if (shownLang === lang()) return;
    shownLang = lang();
    for (const [node, key] of labels) node.textContent = t(key);
    for (const p of [planProblem, importProblem, tokenProblem, loadProblem, planDone]) p.textContent = '';
    if (lastIssued) showIssued(...lastIssued, { focus: false });
    const role = nt.role.value || 'organiser';
    nt.role.replaceChildren(...ROLES.map((r) => h('option', { value: r, selected: r === role }, t(`role.${r}`))));
    renderLists();
  }

  load();
  return { el, relabel, load };
}

/** Copies text; falls back to selecting the field (insecure contexts have no clipboard API). */
async function copy(text, input) {
  try { await navigator.clipboard.writeText(text); return true; } catch {
    input.focus();
    input.select();
    try { return document.execCommand('copy'); } catch { return false; }
  }
}
