/**
 * The values a template works with, modelled on the Java objects API Gateway's Velocity engine
 * sees: strings, integers and doubles, booleans, null, lists (ArrayList), maps (LinkedHashMap,
 * here a JS `Map`, so no key can reach an object prototype) and a few host objects with an
 * allowlist of methods ($input, $util, $foreach).
 */

import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../../../model/json-depth.js'
import { setOwn } from '../../../model/own-keys.js'

/** A Java double (a number that renders as `2.0`, and makes arithmetic non-integer). */
export class JavaDouble {
  constructor(readonly value: number) {}
}

/** An object whose methods and properties a template may use, by name, through an allowlist. */
export interface HostObject {
  readonly kind: 'host'
  property(name: string): TemplateValue | undefined
  call(name: string, args: readonly TemplateValue[]): TemplateValue | undefined
}

export type TemplateValue =
  string | number | boolean | null | JavaDouble | TemplateValue[] | Map<string, TemplateValue> | HostObject

export const isHost = (value: unknown): value is HostObject =>
  typeof value === 'object' &&
  value !== null &&
  (value as { kind?: unknown }).kind === 'host' &&
  !(value instanceof Map)

/** Converts plain data (parsed JSON, the $context object) into template values, copying it. */
export function fromPlain(value: unknown): TemplateValue {
  if (typeof value === 'string' || typeof value === 'boolean') return value
  if (value === null || value === undefined) return null
  if (typeof value === 'number') return Number.isInteger(value) ? value : new JavaDouble(value)
  if (Array.isArray(value)) {
    const list: TemplateValue[] = new Array<TemplateValue>(value.length)
    for (let i = 0; i < value.length; i++) list[i] = fromPlain(value[i])
    return list
  }
  if (value instanceof Map) return value as Map<string, TemplateValue>
  if (typeof value === 'object') {
    // for-in with an own-key check, not Object.keys: no array of keys per object, and strings (most
    // of $context and every header) are set without a call. The largest cost of converting a
    // request's $context and parameters (profiled 2026-12-07).
    const map = new Map<string, TemplateValue>()
    const record = value as Record<string, unknown>
    for (const key in record) {
      if (!Object.hasOwn(record, key)) continue
      const item = record[key]
      map.set(key, typeof item === 'string' ? item : fromPlain(item))
    }
    return map
  }
  return null
}

/**
 * A copy of template values, maps and lists copied at every depth (scalars are immutable): a
 * template may change the maps it reads (`$context.identity.put(...)`), and the next render must not
 * see that. Copying converted values is cheaper than converting the plain data again.
 */
export function copyValue(value: TemplateValue): TemplateValue {
  if (value instanceof Map) {
    const copy = new Map<string, TemplateValue>(value)
    for (const [key, item] of value)
      if (item instanceof Map || Array.isArray(item)) copy.set(key, copyValue(item))
    return copy
  }
  return Array.isArray(value) ? value.map(copyValue) : value
}

/**
 * Parses JSON text into template values; `__proto__` keys stay ordinary map keys. Text nested
 * deeper than MAX_JSON_DEPTH is refused like malformed JSON: converting and writing it back
 * recurse, and a body 3,000 levels deep overflowed the stack mid-template (a 500 for any request
 * template that read `$input.json('$')`).
 */
export function parseJsonValue(text: string): TemplateValue {
  // Deeper than Jackson reads, it is not JSON to a template either (and would overflow fromPlain).
  if (jsonDepthExceeds(text)) throw new SyntaxError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`)
  return fromPlain(JSON.parse(text))
}

/** Converts a template value to JSON text (what `$input.json` and `$util.parseJson` round-trip). */
export function toJson(value: TemplateValue | undefined): string {
  return JSON.stringify(toPlain(value)) ?? 'null'
}

function toPlain(value: TemplateValue | undefined): unknown {
  if (value === undefined || value === null) return null
  if (value instanceof JavaDouble) return value.value
  if (Array.isArray(value)) return value.map(toPlain)
  if (value instanceof Map) {
    // setOwn: a "__proto__" key stays data, never a prototype. A plain object, not a
    // null-prototype one with a defineProperty per key: V8 keeps those as hash tables.
    const out: Record<string, unknown> = {}
    for (const [key, item] of value) setOwn(out, key, toPlain(item))
    return out
  }
  if (isHost(value)) return null
  return value
}

/** Java's Double.toString for the common range: `2.0`, `0.5`, `1.0E21`. */
export function javaDoubleString(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity'
  const abs = Math.abs(value)
  if (abs !== 0 && (abs >= 1e7 || abs < 1e-3)) {
    const [mantissa = '0', exponent = '0'] = value.toExponential().split('e')
    const m = mantissa.includes('.') ? mantissa : `${mantissa}.0`
    return `${m}E${Number(exponent)}`
  }
  return Number.isInteger(value) ? `${value}.0` : String(value)
}

/** How a value prints: Java's toString (maps `{k=v}`, lists `[a, b]`). */
export function javaString(value: TemplateValue): string {
  if (value === null) return 'null'
  if (typeof value === 'string') return value
  if (typeof value === 'number') return String(value)
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (value instanceof JavaDouble) return javaDoubleString(value.value)
  if (Array.isArray(value)) return `[${value.map(javaString).join(', ')}]`
  if (value instanceof Map) return `{${[...value].map(([k, v]) => `${k}=${javaString(v)}`).join(', ')}}`
  return ''
}

export const numericValue = (value: TemplateValue | undefined): number | undefined =>
  typeof value === 'number' ? value : value instanceof JavaDouble ? value.value : undefined

/** Velocity 1.7 truthiness: null and false are false, everything else is true. */
export const isTruthy = (value: TemplateValue | undefined): boolean =>
  value !== undefined && value !== null && value !== false
