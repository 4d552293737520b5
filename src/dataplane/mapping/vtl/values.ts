/**
 * The values a template works with, modelled on the Java objects AWS's Velocity engine sees:
 * `String`, `Boolean`, integers (`Integer`/`Long`/`BigInteger`, here one `bigint`), `Double`
 * (a JS `number`), `null`, lists, maps, map entries and a few host objects (`$input`, `$util`,
 * `$foreach`, `#define` blocks).
 *
 * Nothing here is a JS object whose properties a template could name: lists and maps are our own
 * classes over arrays and `Map`s, so `__proto__`, `constructor` or `prototype` are ordinary keys,
 * and every member a template can reach is listed by name in a `switch` (see the method modules).
 */

/** A value of the template language. */
export type TemplateValue =
  null | boolean | string | bigint | number | VtlList | VtlMap | MapEntry | HostObject

/** What a method or host object may ask of the running render. */
export interface Runtime {
  /** Counts evaluation steps; throws `TemplateBudgetError` when the budget is spent. */
  charge(steps: number): void
  /** Counts the work of scanning or building `length` characters. */
  chargeChars(length: number): void
  /** Returns `text`, or throws `TemplateBudgetError` when it is longer than the output limit. */
  checkString(text: string): string
  /** Java `String.valueOf(value)`, bounded by the output limit. */
  stringify(value: TemplateValue): string
}

/**
 * A Java list. `jsonStyle` marks json-smart's `JSONArray` (what `$input.path` and `$util.parseJson`
 * return), whose `toString()` is JSON; a list built by the template is an `ArrayList` and prints as
 * `[a, b]`. `fixedSize` marks a Java array (`String.split`), which cannot grow.
 */
export class VtlList {
  /** Bumped by structural changes (add, remove), so a `#foreach` over the list fails like Java's iterator. */
  version = 0
  constructor(
    readonly items: TemplateValue[],
    readonly jsonStyle = false,
    readonly fixedSize = false,
  ) {}
}

/** A Java `LinkedHashMap` with string keys (insertion order, like Velocity's map literals). */
export class VtlMap {
  readonly entries = new Map<string, TemplateValue>()
  version = 0

  get(key: string): TemplateValue {
    return this.entries.get(key) ?? null
  }

  has(key: string): boolean {
    return this.entries.has(key)
  }

  /** `Map.put`: stores the value and returns the previous one (or null). */
  put(key: string, value: TemplateValue): TemplateValue {
    const previous = this.get(key)
    // Replacing a value is not a structural change (Java's modCount stays).
    if (!this.entries.has(key)) this.version++
    this.entries.set(key, value)
    return previous
  }

  /** `Map.remove`: returns the removed value (or null). */
  remove(key: string): TemplateValue {
    const previous = this.get(key)
    if (this.entries.delete(key)) this.version++
    return previous
  }

  clear(): void {
    this.entries.clear()
    this.version++
  }
}

/** A `Map.Entry` from `entrySet()`: `getKey()`, `getValue()`, `setValue()` (writes through). */
export class MapEntry {
  constructor(
    readonly map: VtlMap,
    readonly key: string,
    public value: TemplateValue,
  ) {}
}

/**
 * An object the engine provides. Its members are chosen by a `switch` in each subclass: there is
 * no lookup of a JS property named by the template.
 */
export abstract class HostObject {
  /** A property read (`$host.name`); `undefined` when the host has no such property. */
  abstract property(name: string, rt: Runtime): TemplateValue | undefined
  /** A method call (`$host.name(args)`); `undefined` when the host has no such method. */
  abstract invoke(name: string, args: readonly TemplateValue[], rt: Runtime): TemplateValue | undefined
  /** What Velocity prints for the object. */
  abstract toJavaString(rt: Runtime): string
}

/** Makes a list; `jsonStyle` for values that come from JSON. */
export function list(items: TemplateValue[], jsonStyle = false): VtlList {
  return new VtlList(items, jsonStyle)
}

/** Makes a map from entries. */
export function mapOf(entries: Iterable<readonly [string, TemplateValue]>): VtlMap {
  const map = new VtlMap()
  for (const [key, value] of entries) map.entries.set(key, value)
  return map
}

/** True for Java `Integer`/`Long`/`Double` values. */
export function isNumber(value: TemplateValue): value is bigint | number {
  return typeof value === 'bigint' || typeof value === 'number'
}

/** An integer argument that fits a Java `int`, or undefined. */
export function intArg(value: TemplateValue | undefined): number | undefined {
  if (typeof value !== 'bigint') return undefined
  return value >= -2147483648n && value <= 2147483647n ? Number(value) : undefined
}

const MAX_PLAIN_DEPTH = 64

/**
 * Converts plain data (the `$context` object, stage variables) into template values. Only own
 * enumerable properties are read; functions, symbols and other non-data become null.
 */
export function fromPlain(value: unknown, depth = 0): TemplateValue {
  if (depth > MAX_PLAIN_DEPTH) return null
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'bigint':
      return value
    case 'number':
      return Number.isInteger(value) ? BigInt(value) : value
    case 'object': {
      if (value === null) return null
      if (Array.isArray(value)) return list(value.map((item: unknown) => fromPlain(item, depth + 1)))
      if (value instanceof Date) return value.toISOString()
      const map = new VtlMap()
      for (const [key, item] of Object.entries(value)) map.entries.set(key, fromPlain(item, depth + 1))
      return map
    }
    default:
      return null
  }
}
