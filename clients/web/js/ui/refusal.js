// A refused command in words the user can act on: a venue or person still in use names the
// items that use them; a revert with later changes in the way names those changes; a conflict
// names the fields; anything else gives the server's own message.
import { t } from '../i18n.js';
import { findIn } from '../model.js';
import { fieldName } from './describe.js';

/**
 * @param {object} error  the server's error object ({code, message, path, fields, events, …})
 * @param {{type?: string, data?: object, view?: object}} context  the command and the view it was sent from
 */
export function refusalText(error, { type = '', data = {}, view = null } = {}) {
  if (!error) return '';
  const code = error.code || '';
  if (code === 'conflict' && (type === 'remove-venue' || type === 'remove-person') && view) {
    const users = type === 'remove-venue'
      ? view.items.filter((it) => it.venue === data.venue)
      : view.items.filter((it) => (it.speakers || []).includes(data.person));
    const who = type === 'remove-venue' ? findIn(view, 'venues', data.venue) : findIn(view, 'people', data.person);
    if (users.length) {
      return t(type === 'remove-venue' ? 'refusal.venueInUse' : 'refusal.personInUse',
        { name: who?.name || data.venue || data.person, items: users.map((it) => `“${it.title}”`).join(', ') });
    }
  }
  if (code === 'conflict' && type === 'revert') {
    const later = Array.isArray(error.events) ? error.events.map((ev) => t('refusal.laterEvent', { rev: ev.revision, actor: ev.actor })) : [];
    const fields = Array.isArray(error.fields) && error.fields.length ? error.fields.map(fieldName).join(', ') : '';
    return [t('refusal.revertLater', { rev: data.revision }),
      fields ? t('refusal.fields', { fields }) : '',
      later.length ? t('refusal.inTheWay', { list: later.join('; ') }) : '',
      t('refusal.revertHow')].filter(Boolean).join(' ');
  }
  if (code === 'conflict') {
    const fields = Array.isArray(error.fields) && error.fields.length ? error.fields.map(fieldName).join(', ') : '';
    return [t('refusal.conflict'), fields ? t('refusal.fields', { fields }) : '', error.message || ''].filter(Boolean).join(' ');
  }
  if (code === 'forbidden') return t('refusal.forbidden');
  return t('refusal.other', { msg: error.message || code });
}
