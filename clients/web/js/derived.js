// Derived frames (PROTOCOL.md, "Derived frames"): what the view derives (conflicts, SDG
// coverage, the pledge board, the days) arrives with the live stream, whole or as a JSON Patch
// (RFC 6902: add, remove, replace) against the previous frame, so the page never fetches the
// view again to follow changes.

export const DERIVED_KEYS = ['conflicts', 'sdg_coverage', 'pledge_board', 'days'];

/** The derived parts of a view, as a copy of their own. */
export function derivedParts(view) {
  return Object.fromEntries(DERIVED_KEYS.map((k) => [k, structuredClone(view[k] ?? null)]));
}

/**
 * Applies a derived frame to `view` (any object with the derived keys), whose derived parts
 * are at revision `at`. A patch is against the server's parts at `base`: apply it to a copy that
 * nothing else changes (the model re-derives `days` after each event).
 * Returns the new revision of the derived parts, or null when the frame cannot apply (a delta
 * against a state this client does not hold): the caller then asks for a fresh snapshot.
 */
export function applyDerived(view, at, msg) {
  if (msg.derived && typeof msg.derived === 'object') {
    for (const k of DERIVED_KEYS) if (k in msg.derived) view[k] = structuredClone(msg.derived[k]);
    return msg.revision;
  }
  if (!Array.isArray(msg.patch) || msg.base !== at) return null;
  const parts = {};
  for (const k of DERIVED_KEYS) parts[k] = view[k];
  try {
    for (const op of msg.patch) applyOp(parts, op);
  } catch (err) {
    console.error('kartiba: derived patch does not apply', err, msg);
    return null;
  }
  for (const k of DERIVED_KEYS) view[k] = parts[k];
  return msg.revision;
}

function applyOp(doc, op) {
  const path = op.path.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (!path.length) throw new Error('patch of the whole document');
  let parent = doc;
  for (const key of path.slice(0, -1)) {
    parent = parent[Array.isArray(parent) ? Number(key) : key];
    if (parent === null || typeof parent !== 'object') throw new Error(`no ${op.path}`);
  }
  const last = path[path.length - 1];
  const value = 'value' in op ? structuredClone(op.value) : undefined;
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(i) || i < 0 || i > parent.length) throw new Error(`bad index ${op.path}`);
    if (op.op === 'add') parent.splice(i, 0, value);
    else if (op.op === 'remove') parent.splice(i, 1);
    else if (op.op === 'replace') parent[i] = value;
    else throw new Error(`op ${op.op}`);
  } else if (op.op === 'add' || op.op === 'replace') {
    parent[last] = value;
  } else if (op.op === 'remove') {
    delete parent[last];
  } else {
    throw new Error(`op ${op.op}`);
  }
}
