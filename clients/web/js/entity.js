// Which entity a command is about. Shared by the app controller and the views that show
// pending and refused commands next to their entity; kept apart so neither imports the other.

/** "item:bornem", "pledge:p1", "venue:hall", … or "plan" for plan-level commands. */
export function entityKey(command) {
  const d = command.data || {};
  for (const k of ['pledge', 'item', 'venue', 'person', 'decision']) {
    if (typeof d[k] === 'string') return `${k}:${d[k]}`;
  }
  return 'plan';
}
