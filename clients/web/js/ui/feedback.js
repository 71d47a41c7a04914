// Refused commands shown where they belong: a conflict card on the item or pledge with what
// the other organiser changed, what I wanted, and the two ways out. Nothing is dropped silently.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { describeEvent, describeCommand } from './describe.js';
import { findIn } from '../model.js';
import { entityKey } from '../entity.js';

export function renderRefused(app, refusedList, view) {
  return refusedList.map((r) => (r.error.code === 'conflict' ? conflictCard(app, r, view) : errorCard(app, r, view)));
}

function conflictCard(app, r, view) {
  const events = Array.isArray(r.error.events) ? r.error.events : [];
  return h('div', { class: 'conflict-card', role: 'alert', 'data-command': r.command.id },
    h('p', { class: 'conflict-title' }, h('strong', null, t('conflict.title'))),
    events.map((ev) => h('div', { class: 'conflict-theirs' },
      h('p', null, t('conflict.theirs', { actor: ev.actor, rev: ev.revision })),
      h('ul', null, describeEvent(ev, view).map((line) => h('li', null, line))),
      ev.reason ? h('p', { class: 'reason' }, t('history.reason', { reason: ev.reason })) : null)),
    h('div', { class: 'conflict-mine' },
      h('p', null, t('conflict.mine')),
      h('ul', null, describeCommand(r.command, view).map((line) => h('li', null, line)))),
    h('div', { class: 'conflict-actions' },
      h('button', { type: 'button', class: 'btn', 'data-key': `theirs-${r.command.id}`, 'data-action': 'take-theirs',
        onclick: () => app.takeTheirs(r.command.id) }, t('conflict.takeTheirs')),
      h('button', { type: 'button', class: 'btn btn-primary', 'data-key': `mine-${r.command.id}`, 'data-action': 'apply-mine',
        disabled: !app.canEdit, onclick: () => app.applyMineAgain(r.command.id) }, t('conflict.applyMine'))));
}

function errorCard(app, r, view) {
  return h('div', { class: 'refused-card', role: 'alert', 'data-command': r.command.id },
    h('p', null, h('strong', null, t('rejected.title')), ' ', r.error.message || r.error.code || ''),
    h('ul', null, describeCommand(r.command, view).map((line) => h('li', null, line))),
    h('div', { class: 'conflict-actions' },
      h('button', { type: 'button', class: 'btn', onclick: () => app.takeTheirs(r.command.id) }, t('rejected.dismiss')),
      h('button', { type: 'button', class: 'btn', disabled: !app.canEdit, onclick: () => app.applyMineAgain(r.command.id) }, t('rejected.retry'))));
}

/** Refused commands whose entity is not on screen (a failed create, a plan-level command). */
export function renderOrphanRefused(app, view, kinds) {
  const orphans = app.refused.filter((r) => {
    const key = entityKey(r.command);
    const [kind, id] = key.split(':');
    if (!kinds.includes(kind) && kind !== 'plan') return false;
    if (kind === 'plan') return true;
    return !findIn(view, kind === 'item' ? 'items' : kind === 'pledge' ? 'pledges' : kind === 'person' ? 'people' : `${kind}s`, id);
  });
  if (!orphans.length) return null;
  return h('section', { class: 'orphans', 'aria-label': t('rejected.elsewhere') },
    h('h2', { class: 'section-title' }, t('rejected.elsewhere')),
    renderRefused(app, orphans, view));
}

/** "saving…" / "waiting for connection" for commands in the outbox about this entity. */
export function pendingBadge(app, key) {
  const pending = app.pendingFor(key);
  if (!pending.length) return null;
  const queued = app.status !== 'online';
  return h('span', { class: `badge ${queued ? 'badge-queued' : 'badge-saving'}`, 'data-pending': String(pending.length) },
    queued ? t('agenda.queued') : t('agenda.saving'));
}
