/**
 * How Java prints template values. AWS renders a reference with Java's `toString()`: a
 * `LinkedHashMap` as `{k=v, k2=v2}`, an `ArrayList` as `[a, b]`, a `Double` as `249.99` or `1.0E10`.
 * A list that came from JSON is json-smart's `JSONArray`, which prints as JSON: AWS renders
 * `$input.path('$')` of `{"foo":"bar"}` as `{foo=bar}` but of `[{"foo":"bar"}]` as
 * `[{"foo":"bar"}]` (LocalStack's AWS-recorded `test_input_path_template_formatting`; LocalStack's
 * `VTLJsonDict`/`VTLJsonList` encode the same rule).
 */
import { TemplateBudgetError, TemplateError } from './errors.js'
import { HostObject, MapEntry, VtlList, VtlMap, type Runtime, type TemplateValue } from './values.js'

/** Java `Double.toString`: `1.0`, `249.99`, `1.0E7`, `1.0E-4`, `NaN`, `Infinity`. */
export function formatJavaDouble(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Infinity) return 'Infinity'
  if (value === -Infinity) return '-Infinity'
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0'
  const magnitude = Math.abs(value)
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    const text = String(value)
    return text.includes('.') ? text : `${text}.0`
  }
  // Computerized scientific notation with the shortest digits that round-trip (as JS picks them).
  const [mantissa = '0', exponent = '0'] = value.toExponential().split('e')
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.replace('+', '')}`
}

/** Accumulates text up to the output limit. */
class BoundedText {
  #parts: string[] = []
  #length = 0
  constructor(readonly limit: number) {}

  push(text: string): void {
    this.#length += text.length
    if (this.#length > this.limit) {
      throw new TemplateBudgetError('outputLength', `A value is longer than ${this.limit} characters`)
    }
    this.#parts.push(text)
  }

  get length(): number {
    return this.#length
  }

  toString(): string {
    return this.#parts.join('')
  }
}

/**
 * Java `String.valueOf(value)` for a template value. `limit` bounds the text; a value nested in
 * itself prints `(this Map)` / `(this Collection)` like Java, deeper cycles fail (Java overflows).
 */
export function javaToString(value: TemplateValue, rt: Runtime, limit: number): string {
  switch (typeof value) {
    case 'string':
      return value
    case 'boolean':
    case 'bigint':
      return String(value)
    case 'number':
      return formatJavaDouble(value)
    default:
      break
  }
  if (value === null) return 'null'
  const out = new BoundedText(limit)
  writeJava(value, out, new Set(), rt)
  rt.chargeChars(out.length)
  return out.toString()
}

function writeJava(value: TemplateValue, out: BoundedText, active: Set<object>, rt: Runtime): void {
  if (value === null || typeof value !== 'object') {
    out.push(value === null ? 'null' : javaToString(value, rt, out.limit))
    return
  }
  if (value instanceof HostObject) {
    out.push(value.toJavaString(rt))
    return
  }
  if (value instanceof VtlList && value.jsonStyle) {
    writeJson(value, out, active, rt)
    return
  }
  enter(value, active)
  if (value instanceof VtlList) {
    out.push('[')
    value.items.forEach((item, i) => {
      if (i > 0) out.push(', ')
      if (item === value) out.push('(this Collection)')
      else writeJava(item, out, active, rt)
    })
    out.push(']')
  } else if (value instanceof VtlMap) {
    out.push('{')
    let first = true
    for (const [key, item] of value.entries) {
      if (!first) out.push(', ')
      first = false
      out.push(`${key}=`)
      if (item === value) out.push('(this Map)')
      else writeJava(item, out, active, rt)
    }
    out.push('}')
  } else {
    out.push(`${value.key}=`)
    writeJava(value.value, out, active, rt)
  }
  active.delete(value)
}

function enter(value: object, active: Set<object>): void {
  if (active.has(value))
    throw new TemplateError('runtime', 'A value contains itself (java.lang.StackOverflowError)')
  if (active.size > 1000) throw new TemplateError('runtime', 'A value is nested too deeply')
  active.add(value)
}

/**
 * JSON text in json-smart's style (compact, keys in insertion order), used by `$input.json` and by
 * lists that came from JSON. Strings escape `"`, `\`, control characters and the ranges
 * U+007F-U+009F and U+2000-U+20FF as `\uXXXX` (json-smart's `JStylerObj` escape; unverified
 * against AWS: `/` is left as is).
 */
export function jsonText(value: TemplateValue, rt: Runtime, limit: number): string {
  const out = new BoundedText(limit)
  writeJson(value, out, new Set(), rt)
  rt.chargeChars(out.length)
  return out.toString()
}

function writeJson(value: TemplateValue, out: BoundedText, active: Set<object>, rt: Runtime): void {
  switch (typeof value) {
    case 'string':
      out.push(jsonQuote(value))
      return
    case 'boolean':
    case 'bigint':
      out.push(String(value))
      return
    case 'number':
      out.push(Number.isFinite(value) ? formatJavaDouble(value) : 'null')
      return
    default:
      break
  }
  if (value === null) {
    out.push('null')
    return
  }
  if (value instanceof HostObject || value instanceof MapEntry) {
    out.push(jsonQuote(javaToString(value, rt, out.limit)))
    return
  }
  enter(value, active)
  if (value instanceof VtlList) {
    out.push('[')
    value.items.forEach((item, i) => {
      if (i > 0) out.push(',')
      writeJson(item, out, active, rt)
    })
    out.push(']')
  } else {
    out.push('{')
    let first = true
    for (const [key, item] of value.entries) {
      if (!first) out.push(',')
      first = false
      out.push(`${jsonQuote(key)}:`)
      writeJson(item, out, active, rt)
    }
    out.push('}')
  }
  active.delete(value)
}

const JSON_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
}

// eslint-disable-next-line no-control-regex -- the control characters are what is escaped
const JSON_SPECIAL = /["\\\u0000-\u001f\u007f-\u009f\u2000-\u20ff]/g

/** A JSON string literal with json-smart's escaping. */
export function jsonQuote(text: string): string {
  return `"${text.replace(JSON_SPECIAL, (ch) => JSON_ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`)}"`
}

/**
 * Java `a.equals(b)`: same kind and same content. Integers and doubles differ (`Integer(1)` is not
 * `Double(1.0)`), lists and maps compare element by element.
 */
export function javaEquals(a: TemplateValue, b: TemplateValue, depth = 0): boolean {
  if (depth > 100) throw new TemplateError('runtime', 'A value is nested too deeply to compare')
  if (a === b) return true
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    return typeof a === 'number' && typeof b === 'number' ? a === b : false
  }
  if (a instanceof VtlList && b instanceof VtlList) {
    return (
      a.items.length === b.items.length &&
      a.items.every((item, i) => javaEquals(item, b.items[i] ?? null, depth + 1))
    )
  }
  if (a instanceof VtlMap && b instanceof VtlMap) {
    if (a.entries.size !== b.entries.size) return false
    for (const [key, item] of a.entries) {
      if (!b.has(key) || !javaEquals(item, b.get(key), depth + 1)) return false
    }
    return true
  }
  if (a instanceof MapEntry && b instanceof MapEntry) {
    return a.key === b.key && javaEquals(a.value, b.value, depth + 1)
  }
  return false
}
