// Venues and people: the lists, with add, edit and remove. Each action waits for the server's
// answer and shows a refusal next to the row it concerns ("still used by …").
import { h, field, slug, randomId, uid } from '../dom.js';
import { t } from '../i18n.js';
import { openSheet } from './dialog.js';
import { refusalText } from './refusal.js';

/** What each list edits: the command names, the id key and the fields with their labels. */
const KINDS = {
  venue: {
    collection: 'venues', add: 'add-venue', update: 'update-venue', remove: 'remove-venue',
    fields: [['name', 'editor.venueName', 200], ['building', 'editor.building', 200], ['room', 'editor.room', 200],
      ['address', 'editor.address', 300], ['city', 'editor.city', 200], ['country', 'directory.country', 200]],
  },
  person: {
    collection: 'people', add: 'add-person', update: 'update-person', remove: 'remove-person',
    fields: [['name', 'editor.personName', 200], ['role', 'editor.personRole', 200], ['organisation', 'editor.personOrg', 200]],
  },
};

export function openDirectory(app, kind) {
  const spec = KINDS[kind];
  const list = h('ul', { class: 'directory-list', 'data-list': kind });
  const sheet = openSheet({
    title: t(`directory.${kind}.title`),
    className: `directory directory-${kind}`,
    submitLabel: null,
    onSubmit: () => null,
  });
  const render = () => {
    const view = app.model.view;
    const rows = view[spec.collection].map((e) => row(app, kind, spec, e));
    list.replaceChildren(...(rows.length ? rows : [h('li', { class: 'muted' }, t(`directory.${kind}.none`))]));
  };
  // After an ack the entry is durable; the event may reach the model a moment later.
  const added = (entity) => { list.querySelector('li.muted')?.remove(); list.append(row(app, kind, spec, entity)); };
  sheet.body.append(list, addForm(app, kind, spec, added));
  render();
  const first = sheet.body.querySelector('button, input');
  if (first) first.focus();
  return sheet;
}

function row(app, kind, spec, entity) {
  const problem = h('p', { class: 'form-error', role: 'alert' });
  const summary = [entity.role || entity.building, entity.room || entity.organisation, entity.city].filter(Boolean).join(' · ');
  const li = h('li', { class: 'directory-row', 'data-id': entity.id },
    h('div', { class: 'directory-text' },
      h('strong', { class: 'directory-name' }, entity.name),
      summary ? h('span', { class: 'muted' }, ` — ${summary}`) : null),
    h('div', { class: 'directory-actions' },
      h('button', { type: 'button', class: 'btn btn-small', 'data-action': 'edit-entry',
        'aria-label': t('directory.editOf', { name: entity.name }), onclick: () => editInPlace() }, t('agenda.edit')),
      h('button', { type: 'button', class: 'btn btn-small btn-danger', 'data-action': 'remove-entry',
        'aria-label': t('directory.removeOf', { name: entity.name }), onclick: (e) => remove(e.currentTarget) }, t('directory.remove'))),
    problem);

  let armed = false;
  async function remove(button) {
    if (!armed) { armed = true; button.textContent = t('directory.removeConfirm'); button.removeAttribute('aria-label'); return; }
    button.disabled = true;
    const data = { [kind]: entity.id };
    const error = await app.sendAndWait(spec.remove, data);
    button.disabled = false;
    if (!error) { li.remove(); return; }
    armed = false;
    button.textContent = t('directory.remove');
    button.setAttribute('aria-label', t('directory.removeOf', { name: entity.name }));
    problem.textContent = refusalText(error, { type: spec.remove, data, view: app.model.view });
  }

  function editInPlace() {
    const inputs = inputsFor(spec, entity);
    const base = app.model.revision;
    const form = h('div', { class: 'directory-edit', role: 'group', 'aria-label': t('directory.editOf', { name: entity.name }) },
      inputs.fields,
      h('div', { class: 'row' },
        h('button', { type: 'button', class: 'btn btn-primary btn-small', 'data-action': 'save-entry', onclick: async () => {
          const changes = {};
          for (const [k] of spec.fields) {
            const v = inputs.els[k].value.trim();
            if (v !== (entity[k] || '')) changes[k] = v === '' && k !== 'name' ? null : v;
          }
          if (!inputs.els.name.value.trim()) { inputs.els.name.focus(); problem.textContent = t('editor.required', { field: t(spec.fields[0][1]) }); return; }
          if (!Object.keys(changes).length) { form.remove(); return; }
          const data = { [kind]: entity.id, ...changes };
          const error = await app.sendAndWait(spec.update, data, { base });
          if (error) { problem.textContent = refusalText(error, { type: spec.update, data, view: app.model.view }); return; }
          problem.textContent = '';
          li.replaceWith(row(app, kind, spec, { ...entity, ...changes }));
        } }, t('editor.save')),
        h('button', { type: 'button', class: 'btn btn-small', onclick: () => form.remove() }, t('editor.cancel'))));
    li.querySelector('.directory-edit')?.remove();
    li.insertBefore(form, problem);
    inputs.els.name.focus();
  }
  return li;
}

function inputsFor(spec, entity = {}) {
  const els = {};
  const fields = spec.fields.map(([k, label, max]) => {
    els[k] = h('input', { type: 'text', maxlength: String(max), value: entity[k] || '', 'data-field': k, id: uid(k) });
    return field(t(label), els[k]);
  });
  return { els, fields };
}

function addForm(app, kind, spec, added) {
  const inputs = inputsFor(spec);
  const problem = h('p', { class: 'form-error', role: 'alert' });
  const headId = uid('add');
  return h('section', { class: 'directory-add', 'aria-labelledby': headId },
    h('h3', { id: headId }, t(`directory.${kind}.add`)),
    inputs.fields,
    problem,
    h('button', { type: 'button', class: 'btn btn-primary', 'data-action': 'add-entry', onclick: async (e) => {
      const name = inputs.els.name.value.trim();
      if (!name) { inputs.els.name.focus(); problem.textContent = t('editor.required', { field: t(spec.fields[0][1]) }); return; }
      const data = { [kind]: `${slug(name)}-${randomId('').slice(0, 4)}` };
      for (const [k] of spec.fields) if (inputs.els[k].value.trim()) data[k] = inputs.els[k].value.trim();
      e.currentTarget.disabled = true;
      const button = e.currentTarget;
      const error = await app.sendAndWait(spec.add, data);
      button.disabled = false;
      if (error) { problem.textContent = refusalText(error, { type: spec.add, data, view: app.model.view }); return; }
      problem.textContent = '';
      for (const el of Object.values(inputs.els)) el.value = '';
      added({ id: data[kind], ...data });
      inputs.els.name.focus();
    } }, t(`directory.${kind}.add`)));
}
