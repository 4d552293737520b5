// Small DOM helpers: the console is plain ES modules with no framework and no build step.

let nextId = 0

/** A fresh id for label/control pairs. */
export function uid(prefix = 'f') {
  nextId += 1
  return `${prefix}-${nextId}`
}

/**
 * Creates an element. `attrs`: `class`, `text`, `on<event>` functions, boolean properties
 * (`checked`, `disabled`, `selected`, `hidden`), `value`, any other attribute as is.
 */
export function h(tag, attrs = {}, ...children) {
  const svg = tag.startsWith('svg:')
  const el = svg
    ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
    : document.createElement(tag)
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue
    if (name === 'text') el.textContent = String(value)
    else if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value)
    else if (!svg && (name === 'value' || name === 'checked' || name === 'selected')) el[name] = value
    else if (value === true) el.setAttribute(name, '')
    else el.setAttribute(name, String(value))
  }
  append(el, children)
  return el
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue
    if (Array.isArray(child)) append(el, child)
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)))
  }
}

/** Replaces the content of `el`. */
export function replace(el, ...children) {
  el.replaceChildren()
  append(el, children)
  return el
}

/** A labelled control: `<div class="field"><label for>…</label>control hint</div>`. */
export function field(label, control, hint) {
  if (!control.id) control.id = uid()
  const hintEl = hint ? h('small', { id: `${control.id}-hint`, class: 'hint' }, hint) : null
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id)
  const isCheck = control.type === 'checkbox'
  return h(
    'div',
    { class: isCheck ? 'field check' : 'field' },
    isCheck ? control : null,
    h('label', { for: control.id }, label),
    isCheck ? null : control,
    hintEl,
  )
}

export const input = (attrs = {}) => h('input', { type: 'text', ...attrs })

/** A `<select>` of `options` (strings or [value, label] pairs). */
export function select(options, value, attrs = {}) {
  return h(
    'select',
    attrs,
    options.map((o) => {
      const [v, label] = Array.isArray(o) ? o : [o, o]
      return h('option', { value: v, selected: v === value }, label)
    }),
  )
}

/** A submit handler that keeps the browser from navigating and runs `handler` instead. */
export const submitted = (handler) => (event) => {
  event.preventDefault()
  void handler(event)
}

export const button = (label, onclick, attrs = {}) =>
  h('button', { type: 'button', onclick, ...attrs }, label)

/** Says `message` to everyone: visibly and through the polite live region. */
export function announce(message, kind = 'ok') {
  const status = document.getElementById('status')
  if (!status) return
  status.className = `status ${kind}`
  status.textContent = message
  // Confirmations fade after a while; errors stay until the next message.
  clearTimeout(statusTimer)
  if (kind === 'ok') statusTimer = setTimeout(() => (status.textContent = ''), 8000)
}

let statusTimer

/** Runs `action`, announcing its error (an API error's message) instead of throwing. */
export async function attempt(action, done) {
  try {
    const result = await action()
    if (done) announce(done)
    return result
  } catch (error) {
    announce(error instanceof Error ? error.message : String(error), 'error')
    return undefined
  }
}

/** A table with a caption; `rows` are arrays of cells (nodes or text). */
export function table(caption, headings, rows, empty = 'Nothing yet.') {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty)
  return h(
    'table',
    {},
    h('caption', {}, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headings.map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((cells) =>
        h(
          'tr',
          {},
          cells.map((c) => h('td', {}, c)),
        ),
      ),
    ),
  )
}

/** The heading of a table's column of buttons: read by screen readers, not shown. */
export const actionsHeading = () => h('span', { class: 'sr-only' }, 'Actions')

/** A page heading that takes focus after navigation, so screen readers hear the new page. */
export function pageHeading(text, ...extra) {
  document.title = `${text} · Tollgate console`
  return h('div', { class: 'page-head' }, h('h1', { tabindex: '-1', id: 'page-title' }, text), ...extra)
}

/** A modal `<dialog>` with a form; resolves with the form's values, or undefined when cancelled. */
export function formDialog(title, fields, submitLabel) {
  return new Promise((resolve) => {
    const form = h('form', { method: 'dialog' })
    const dialog = h('dialog', { 'aria-labelledby': uid('dlg') })
    const heading = h('h2', { id: dialog.getAttribute('aria-labelledby') }, title)
    const cancel = button('Cancel', () => dialog.close('cancel'))
    form.append(heading, ...fields.map((f) => field(f.label, f.control, f.hint)))
    form.append(
      h('div', { class: 'actions' }, h('button', { type: 'submit', value: 'ok' }, submitLabel), cancel),
    )
    dialog.append(form)
    document.body.append(dialog)
    dialog.addEventListener('close', () => {
      const ok = dialog.returnValue === 'ok'
      const values = Object.fromEntries(
        fields.map((f) => [f.name, f.control.type === 'checkbox' ? f.control.checked : f.control.value]),
      )
      dialog.remove()
      resolve(ok ? values : undefined)
    })
    dialog.showModal()
  })
}

/** Formats an epoch-seconds date as `YYYY-MM-DD HH:MM:SS` UTC. */
export function when(seconds) {
  if (seconds === undefined || seconds === null) return ''
  const ms = typeof seconds === 'number' && seconds < 1e12 ? seconds * 1000 : seconds
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19)
}

/**
 * An editable list of name/value rows (parameter mappings, stage variables, headers). `value`
 * columns may be text or a checkbox (`kind: 'check'`). Returns the element and a reader.
 */
export function keyValueEditor(
  label,
  entries,
  { keyLabel = 'Name', valueLabel = 'Value', kind = 'text' } = {},
) {
  const body = h('tbody')
  const addRow = (k = '', v = kind === 'check' ? false : '') => {
    const key = input({ value: k, 'aria-label': `${label}: ${keyLabel}`, class: 'kv-key' })
    const val =
      kind === 'check'
        ? h('input', { type: 'checkbox', checked: Boolean(v), 'aria-label': `${label}: ${valueLabel}` })
        : input({ value: String(v), 'aria-label': `${label}: ${valueLabel}`, class: 'kv-value' })
    const row = h('tr', {}, h('td', {}, key), h('td', {}, val))
    row.append(
      h(
        'td',
        {},
        button('Remove', () => row.remove(), { class: 'link', 'aria-label': `Remove row from ${label}` }),
      ),
    )
    body.append(row)
  }
  for (const [k, v] of Object.entries(entries ?? {})) addRow(k, v)
  const el = h(
    'fieldset',
    { class: 'kv' },
    h('legend', {}, label),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, keyLabel),
          h('th', { scope: 'col' }, valueLabel),
          h('th', {}, actionsHeading()),
        ),
      ),
      body,
    ),
    button('Add row', () => addRow(), { class: 'secondary', 'aria-label': `Add row to ${label}` }),
  )
  const read = () => {
    const out = {}
    for (const row of body.rows) {
      const [k, v] = row.querySelectorAll('input')
      const name = k.value.trim()
      if (name) out[name] = kind === 'check' ? v.checked : v.value
    }
    return out
  }
  return { el, read }
}
