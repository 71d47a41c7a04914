// Record a decision (record-decision): what the organisers agreed and why, linked to the items
// and pledges it concerns. Decisions are never edited; a new one supersedes an old one.
import { h, field, slug, randomId, uid } from '../dom.js';
import { t } from '../i18n.js';
import { openSheet } from './dialog.js';
import { refusalText } from './refusal.js';

export function openDecisionEditor(app, { items = [], pledges = [] } = {}) {
  const view = app.model.view;
  const title = h('input', { type: 'text', maxlength: '200', 'data-field': 'decision-title', autocomplete: 'off' });
  const text = h('textarea', { rows: '4', maxlength: '5000', 'data-field': 'decision-text' });
  const itemList = checks('decision-items', view.items.map((it) => [it.id, `${it.start.local.slice(5, 10).replace('-', '.')} ${it.start.local.slice(11, 16)} · ${it.title}`]), items);
  const pledgeList = checks('decision-pledges', view.pledges.map((p) => [p.id, `${p.title} — ${p.by?.municipality || ''}`]), pledges);
  const reason = h('input', { type: 'text', maxlength: '1000', 'data-field': 'reason', autocomplete: 'off' });
  const sheet = openSheet({
    title: t('decision.new'),
    className: 'decision-editor',
    submitLabel: t('decision.record'),
    onSubmit: async () => {
      const name = title.value.trim();
      if (!name) { title.focus(); return t('editor.required', { field: t('decision.titleField') }); }
      const data = { decision: `${slug(name)}-${randomId('').slice(0, 4)}`, title: name };
      if (text.value.trim()) data.text = text.value.trim();
      const linkedItems = checked(itemList), linkedPledges = checked(pledgeList);
      if (linkedItems.length) data.items = linkedItems;
      if (linkedPledges.length) data.pledges = linkedPledges;
      const error = await app.sendAndWait('record-decision', data, { reason: reason.value.trim() });
      return error ? refusalText(error, { type: 'record-decision', data, view: app.model.view }) : null;
    },
  });
  sheet.body.append(
    field(t('decision.titleField'), title),
    field(t('decision.text'), text, t('decision.textHint')),
    h('fieldset', null, h('legend', null, t('decision.items')), itemList),
    h('fieldset', null, h('legend', null, t('decision.pledges')), pledgeList),
    field(t('editor.reason'), reason));
  title.focus();
  return sheet;
}

function checks(name, options, selected) {
  if (!options.length) return h('p', { class: 'muted' }, t('value.none'));
  return h('div', { class: 'check-list', 'data-field': name }, options.map(([id, label]) => {
    const cid = uid(name);
    return h('span', { class: 'check' },
      h('input', { type: 'checkbox', id: cid, value: id, checked: selected.includes(id) }),
      h('label', { for: cid }, label));
  }));
}

function checked(list) { return [...list.querySelectorAll('input:checked')].map((x) => x.value); }
