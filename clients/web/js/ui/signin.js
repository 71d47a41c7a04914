// The sign-in screen (token field) and the plan picker.
import { h, uid } from '../dom.js';
import { t, lang, LANGS } from '../i18n.js';

function langSwitch(onLang) {
  return h('div', { class: 'lang-switch', role: 'group', 'aria-label': t('lang.switch') },
    LANGS.map((l) => h('button', { type: 'button', class: 'lang-btn', lang: l, 'aria-pressed': String(lang() === l), onclick: () => onLang(l) }, l.toUpperCase())));
}

function card(onLang, ...children) {
  return h('main', { id: 'main', class: 'center-screen', tabindex: '-1' },
    h('div', { class: 'card signin' },
      h('div', { class: 'signin-top' },
        h('div', { class: 'brand big' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), t('app.name')),
        langSwitch(onLang)),
      ...children));
}

export function renderSignIn(root, { error, onSubmit, onLang }) {
  const id = uid('token');
  const input = h('input', { id, type: 'password', name: 'token', required: true, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': error ? 'signin-error' : null });
  root.replaceChildren(card(onLang,
    h('h1', null, t('signin.title')),
    h('p', { class: 'muted' }, t('signin.lead')),
    h('form', { class: 'signin-form', onsubmit: (e) => { e.preventDefault(); if (input.value.trim()) onSubmit(input.value.trim()); } },
      h('div', { class: 'field' }, h('label', { for: id }, t('signin.token')), input),
      error ? h('p', { id: 'signin-error', class: 'form-error', role: 'alert' }, error) : null,
      h('button', { type: 'submit', class: 'btn btn-primary' }, t('signin.submit')))));
  input.focus();
}

export function renderPicker(root, { plans, onPick, onSignOut, onLang, admin = null }) {
  let shown = false;
  const adminSlot = h('div', { class: 'picker-admin' });
  root.replaceChildren(card(onLang,
    h('h1', null, t('picker.title')),
    plans.length
      ? h('ul', { class: 'plan-list' }, plans.map((p) => h('li', null,
        h('button', { type: 'button', class: 'plan-choice', 'data-plan': p.id, onclick: () => onPick(p.id) },
          h('span', { class: 'plan-choice-title' }, p.title || p.id),
          h('span', { class: 'muted' }, p.id, p.revision ? ` · ${t('picker.revision', { n: p.revision })}` : '')))))
      : h('p', { class: 'muted' }, t('picker.none')),
    admin ? h('button', { type: 'button', class: 'btn', 'data-action': 'open-admin', 'aria-expanded': 'false', onclick: (e) => {
      shown = !shown;
      e.currentTarget.setAttribute('aria-expanded', String(shown));
      adminSlot.replaceChildren(...(shown ? [admin()] : []));
    } }, t('nav.admin')) : null,
    h('button', { type: 'button', class: 'link-btn', onclick: onSignOut }, t('signin.out')),
    adminSlot));
  const first = root.querySelector('.plan-choice');
  if (first) first.focus();
}
