/**
 * A strict JSON reader that produces template values directly: objects become `VtlMap`s (so a
 * `"__proto__"` key is an ordinary key and never touches a JS prototype), arrays become JSON-style
 * lists, integers stay integers (`bigint`) and numbers with a fraction or exponent become doubles,
 * as json-smart reads them (`2.0` prints `2.0`, `2` prints `2`).
 */
import { TemplateError } from './errors.js'
import { VtlList, VtlMap, type TemplateValue } from './values.js'

/** Jackson's default nesting limit (StreamReadConstraints, 1,000 levels). */
const MAX_DEPTH = 1000

/**
 * Parses JSON text. Throws `TemplateError` of kind `kind` with a position when the text is not JSON:
 * AWS answers a request template over a non-JSON body with 400 "Could not parse request body into
 * json", and a failing `$util.parseJson` ends the render.
 */
export function parseJsonValue(text: string, kind: 'body' | 'runtime'): TemplateValue {
  return new JsonReader(text, kind).document()
}

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y
// eslint-disable-next-line no-control-regex -- control characters must be escaped in JSON strings
const PLAIN_STRING_RUN = /[^"\\\u0000-\u001f]*/y

class JsonReader {
  #at = 0
  constructor(
    readonly text: string,
    readonly kind: 'body' | 'runtime',
  ) {}

  document(): TemplateValue {
    this.#space()
    const value = this.#value(0)
    this.#space()
    if (this.#at < this.text.length) this.#fail('Unexpected character after the JSON value')
    return value
  }

  #fail(message: string): never {
    throw new TemplateError(this.kind, `Invalid JSON: ${message} at position ${this.#at}`)
  }

  #space(): void {
    while (this.#at < this.text.length) {
      const ch = this.text.charCodeAt(this.#at)
      if (ch !== 0x20 && ch !== 0x0a && ch !== 0x0d && ch !== 0x09) return
      this.#at++
    }
  }

  #value(depth: number): TemplateValue {
    if (depth > MAX_DEPTH) this.#fail('Nesting is too deep')
    const ch = this.text[this.#at]
    switch (ch) {
      case '{':
        return this.#object(depth)
      case '[':
        return this.#array(depth)
      case '"':
        return this.#string()
      case 't':
        return this.#word('true', true)
      case 'f':
        return this.#word('false', false)
      case 'n':
        return this.#word('null', null)
      default:
        return this.#number()
    }
  }

  #word(word: string, value: boolean | null): boolean | null {
    if (!this.text.startsWith(word, this.#at)) this.#fail('Unexpected character')
    this.#at += word.length
    return value
  }

  #number(): bigint | number {
    NUMBER.lastIndex = this.#at
    const match = NUMBER.exec(this.text)
    if (!match) this.#fail(this.#at >= this.text.length ? 'Unexpected end of input' : 'Unexpected character')
    this.#at += match[0].length
    return match[1] === undefined && match[2] === undefined ? BigInt(match[0]) : Number(match[0])
  }

  #string(): string {
    this.#at++ // opening quote
    let out = ''
    for (;;) {
      PLAIN_STRING_RUN.lastIndex = this.#at
      const run = PLAIN_STRING_RUN.exec(this.text)?.[0] ?? ''
      out += run
      this.#at += run.length
      const ch = this.text[this.#at]
      if (ch === '"') {
        this.#at++
        return out
      }
      if (ch !== '\\')
        this.#fail(ch === undefined ? 'Unterminated string' : 'Unescaped control character in string')
      const code = this.text[this.#at + 1] ?? ''
      if (code === 'u') {
        const hex = this.text.slice(this.#at + 2, this.#at + 6)
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.#fail('Invalid \\u escape')
        out += String.fromCharCode(parseInt(hex, 16))
        this.#at += 6
      } else {
        const escaped = ESCAPES[code]
        if (escaped === undefined) this.#fail('Invalid escape')
        out += escaped
        this.#at += 2
      }
    }
  }

  #array(depth: number): VtlList {
    this.#at++
    const items: TemplateValue[] = []
    this.#space()
    if (this.text[this.#at] === ']') {
      this.#at++
      return new VtlList(items, true)
    }
    for (;;) {
      this.#space()
      items.push(this.#value(depth + 1))
      this.#space()
      const ch = this.text[this.#at++]
      if (ch === ']') return new VtlList(items, true)
      if (ch !== ',') this.#fail("Expected ',' or ']'")
    }
  }

  #object(depth: number): VtlMap {
    this.#at++
    const map = new VtlMap()
    this.#space()
    if (this.text[this.#at] === '}') {
      this.#at++
      return map
    }
    for (;;) {
      this.#space()
      if (this.text[this.#at] !== '"') this.#fail('Expected a property name')
      const key = this.#string()
      this.#space()
      if (this.text[this.#at++] !== ':') this.#fail("Expected ':'")
      this.#space()
      // A repeated key keeps its first position and takes the last value (LinkedHashMap.put).
      map.entries.set(key, this.#value(depth + 1))
      this.#space()
      const ch = this.text[this.#at++]
      if (ch === '}') return map
      if (ch !== ',') this.#fail("Expected ',' or '}'")
    }
  }
}

/** A deep copy, so a template that changes what `$input.path` returned does not change the body. */
export function cloneValue(value: TemplateValue, charge: (steps: number) => void): TemplateValue {
  if (value instanceof VtlList) {
    charge(1 + value.items.length)
    return new VtlList(
      value.items.map((item) => cloneValue(item, charge)),
      value.jsonStyle,
      value.fixedSize,
    )
  }
  if (value instanceof VtlMap) {
    charge(1 + value.entries.size)
    const copy = new VtlMap()
    for (const [key, item] of value.entries) copy.entries.set(key, cloneValue(item, charge))
    return copy
  }
  return value
}
