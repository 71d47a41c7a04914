// SDG goal chips in the official colours, and a 17-goal picker made of checkboxes.
import { h, uid } from '../dom.js';
import { t } from '../i18n.js';
import { GOAL_NUMBERS, goalColour, goalName, goalTextColour } from '../sdg.js';

export function sdgChip(n, { priority = false } = {}) {
  return h('span', {
    class: `sdg-chip${priority ? ' sdg-priority' : ''}`,
    style: { background: goalColour(n), color: goalTextColour(n) },
    title: `${t('sdg.goal', { n })}: ${goalName(n)}`,
    'data-sdg': String(n),
  }, h('span', { 'aria-hidden': 'true' }, String(n)), h('span', { class: 'visually-hidden' }, `${t('sdg.goal', { n })}: ${goalName(n)}`));
}

export function sdgChips(list, priorities = []) {
  if (!list || !list.length) return null;
  return h('span', { class: 'sdg-chips' }, [...list].sort((a, b) => a - b).map((n) => sdgChip(n, { priority: priorities.includes(n) })));
}

/** A fieldset of 17 checkboxes; read the choice with readSdgPicker(fieldset). */
export function sdgPicker(legend, selected = [], priorities = []) {
  const name = uid('sdg');
  return h('fieldset', { class: 'sdg-picker' },
    h('legend', null, legend),
    h('div', { class: 'sdg-grid' }, GOAL_NUMBERS.map((n) => {
      const id = `${name}-${n}`;
      return h('span', { class: 'sdg-option' },
        h('input', { type: 'checkbox', id, name, value: String(n), checked: selected.includes(n) }),
        h('label', {
          for: id, title: goalName(n),
          style: { '--goal': goalColour(n), '--goal-text': goalTextColour(n) },
          class: priorities.includes(n) ? 'is-priority' : null,
        }, h('span', { 'aria-hidden': 'true' }, String(n)), h('span', { class: 'visually-hidden' }, `${t('sdg.goal', { n })}: ${goalName(n)}`)));
    })));
}

export function readSdgPicker(fieldset) {
  return [...fieldset.querySelectorAll('input[type=checkbox]:checked')].map((x) => Number(x.value)).sort((a, b) => a - b);
}
