// Tiny DOM builder. User data only ever goes in as text nodes or attribute values,
// never as HTML: there is no innerHTML anywhere in this app.

/**
 * h('button', {class: 'x', onclick: fn, 'aria-label': '…'}, 'text', child, [more])
 * Props: `class`, `style` (object), `on<event>` (listener), `value`/`checked`/`selected`/
 * `disabled`/`hidden` (set as properties), anything else as an attribute (true → "").
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'style') Object.assign(el.style, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'value' || k === 'checked' || k === 'selected' || k === 'disabled' || k === 'hidden' || k === 'open') el[k] = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

/** Replaces a container's content, keeping keyboard focus on the element with the same data-key. */
export function replaceKeepingFocus(container, ...children) {
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.getAttribute('data-key') : null;
  container.replaceChildren();
  append(container, children);
  if (key) {
    const again = container.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (again) again.focus({ preventScroll: true });
  }
}

/** A labelled form field: <label>text <input …></label> wrapped for layout. */
export function field(label, control, hint) {
  const id = control.id || (control.id = uid('f'));
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    control,
    hint ? h('small', { class: 'hint' }, hint) : null);
}

let counter = 0;
export function uid(prefix) { counter += 1; return `${prefix}-${counter}`; }

/** Random id safe for commands and entities (works outside secure contexts too). */
export function randomId(prefix) {
  const bytes = new Uint8Array(9);
  crypto.getRandomValues(bytes);
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** ASCII slug of a title for a client-chosen entity id: "Tikšanās Bornem" → "tiksanas-bornem". */
export function slug(text) {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'x';
}
