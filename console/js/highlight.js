// Syntax highlighting for mapping templates (Velocity + JSON) and JSON documents.
//
// Why our own: no highlighting library knows Velocity (VTL), and an API Gateway template is VTL
// wrapped around JSON, so it needs both at once; a library would also have to be bundled or
// loaded from a CDN, and the console is served by the gateway alone with no build step. A
// single-pass tokenizer of a dozen rules is enough, and it never interprets the template.

/** @type {Array<[string, RegExp]>} */
const RULES = [
  ['comment', /^##[^\n]*/],
  ['comment', /^#\*[\s\S]*?(\*#|$)/],
  [
    'directive',
    /^#\{?(?:if|elseif|else|end|foreach|set|stop|break|define|macro|parse|include|evaluate)\}?\b/,
  ],
  ['reference', /^\$!?\{[^}\n]*\}?/],
  ['reference', /^\$!?[a-zA-Z_][\w-]*(?:\.[a-zA-Z_]\w*)*/],
  ['key', /^"(?:[^"\\\n]|\\.)*"(?=\s*:)/],
  ['string', /^"(?:[^"\\\n]|\\.)*"?/],
  ['string', /^'(?:[^'\\\n]|\\.)*'?/],
  ['number', /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/],
  ['literal', /^(?:true|false|null)\b/],
  ['operator', /^(?:==|!=|<=|>=|&&|\|\||[=<>!+\-*/%])/],
  ['punctuation', /^[{}[\]():,.]/],
  ['text', /^[a-zA-Z_]\w*/],
  ['space', /^\s+/],
]

/** Splits `source` into `[kind, text]` tokens whose texts, joined, give `source` back exactly. */
export function tokenize(source) {
  const tokens = []
  let rest = source
  while (rest.length > 0) {
    let matched = false
    for (const [kind, pattern] of RULES) {
      const m = pattern.exec(rest)
      if (m && m[0].length > 0) {
        const last = tokens[tokens.length - 1]
        if (last && last[0] === kind && (kind === 'space' || kind === 'text')) last[1] += m[0]
        else tokens.push([kind, m[0]])
        rest = rest.slice(m[0].length)
        matched = true
        break
      }
    }
    if (!matched) {
      tokens.push(['text', rest[0]])
      rest = rest.slice(1)
    }
  }
  return tokens
}

/** Fills `target` with highlighted spans for `source` (text nodes only: never parsed as HTML). */
export function highlightInto(target, source) {
  const fragment = document.createDocumentFragment()
  for (const [kind, text] of tokenize(source)) {
    if (kind === 'space' || kind === 'text') fragment.append(text)
    else {
      const span = document.createElement('span')
      span.className = `tok-${kind}`
      span.textContent = text
      fragment.append(span)
    }
  }
  // A trailing newline would collapse in <pre>; keep the last line's height.
  fragment.append(source.endsWith('\n') ? ' ' : '')
  target.replaceChildren(fragment)
}

/**
 * A code editor: a real `<textarea>` (the labelled, keyboard-usable control) over a highlighted
 * `<pre>` copy of its text that it keeps in sync. Tab inserts two spaces; Escape then Tab leaves.
 */
/** @param {{ label: string, value?: string, rows?: number, name?: string }} options */
export function codeEditor({ label, value = '', rows = 8, name = undefined }) {
  const id = `code-${Math.random().toString(36).slice(2, 9)}`
  const wrapper = document.createElement('div')
  wrapper.className = 'code-field'
  const labelEl = document.createElement('label')
  labelEl.htmlFor = id
  labelEl.textContent = label
  const editor = document.createElement('div')
  editor.className = 'code-editor'
  const pre = document.createElement('pre')
  pre.setAttribute('aria-hidden', 'true')
  const code = document.createElement('code')
  pre.append(code)
  const textarea = document.createElement('textarea')
  textarea.id = id
  textarea.rows = rows
  textarea.spellcheck = false
  textarea.value = value
  if (name) textarea.name = name
  textarea.setAttribute('autocapitalize', 'off')
  textarea.setAttribute('autocomplete', 'off')
  let escaped = false
  const sync = () => {
    highlightInto(code, textarea.value)
    pre.scrollTop = textarea.scrollTop
    pre.scrollLeft = textarea.scrollLeft
  }
  textarea.addEventListener('input', sync)
  textarea.addEventListener('scroll', sync)
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      escaped = true
      return
    }
    if (event.key === 'Tab' && !escaped && !event.shiftKey) {
      event.preventDefault()
      const { selectionStart: start, selectionEnd: end } = textarea
      textarea.setRangeText('  ', start, end, 'end')
      sync()
    }
    escaped = false
  })
  editor.append(pre, textarea)
  wrapper.append(labelEl, editor)
  sync()
  return {
    el: wrapper,
    textarea,
    get value() {
      return textarea.value
    },
    set value(v) {
      textarea.value = v
      sync()
    },
  }
}

/** A read-only highlighted block (a response body, an event). */
export function codeBlock(source, label) {
  const pre = document.createElement('pre')
  pre.className = 'code-block'
  if (label) {
    pre.setAttribute('aria-label', label)
    pre.tabIndex = 0
  }
  const code = document.createElement('code')
  highlightInto(code, source)
  pre.append(code)
  return pre
}

/** Pretty-prints JSON text when it is JSON, else returns it as it is. */
export function pretty(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    return text
  }
}
