// "Undo this change" from the history: asks for a reason, sends revert {revision}, and when later
// changes are in the way (409) says which, in the sheet, instead of failing quietly.
import { h, field } from '../dom.js';
import { t } from '../i18n.js';
import { formatInstant } from '../time.js';
import { openSheet } from './dialog.js';
import { refusalText } from './refusal.js';

/** Events that cannot be undone (the plan's creation, a release). */
export const NOT_REVERTIBLE = new Set(['PlanCreated', 'ReleasePublished']);

export function openRevertDialog(app, entry) {
  const reason = h('input', { type: 'text', maxlength: '1000', 'data-field': 'reason', autocomplete: 'off' });
  const sheet = openSheet({
    title: t('revert.title', { rev: entry.revision }),
    className: 'revert-dialog',
    submitLabel: t('revert.confirm'),
    onSubmit: async () => {
      const data = { revision: entry.revision };
      const error = await app.sendAndWait('revert', data, { reason: reason.value.trim(), base: null });
      if (!error) { app.toast(t('revert.done', { rev: entry.revision })); return null; }
      return refusalText(error, { type: 'revert', data, view: app.model.view });
    },
  });
  sheet.body.append(
    h('p', null, t('revert.lead')),
    h('blockquote', { class: 'revert-entry' },
      h('p', { class: 'trail-meta' }, `#${entry.revision} · ${formatInstant(entry.at)} · ${entry.actor}`),
      h('p', null, entry.text)),
    field(t('editor.reason'), reason, t('revert.reasonHint')));
  reason.focus();
  return sheet;
}
