/**
 * The Java methods a template may call on lists (`ArrayList`, json-smart's `JSONArray`, arrays
 * from `split`), maps (`LinkedHashMap`) and map entries: an allowlist, one `case` per method.
 * Map keys are strings (JSON keys, map literal keys); a non-string key is used as its Java text.
 */
import { TemplateError } from './errors.js'
import { javaEquals } from './java-text.js'
import { NO_SUCH_METHOD, type MethodResult } from './scalar-methods.js'
import { intArg, MapEntry, VtlList, VtlMap, type Runtime, type TemplateValue } from './values.js'

function indexOutOfBounds(index: number, size: number): never {
  throw new TemplateError('runtime', `java.lang.IndexOutOfBoundsException: Index: ${index}, Size: ${size}`)
}

function unsupportedOperation(): never {
  throw new TemplateError('runtime', 'java.lang.UnsupportedOperationException')
}

function indexOfValue(items: readonly TemplateValue[], value: TemplateValue, rt: Runtime): number {
  rt.charge(items.length)
  return items.findIndex((item) => javaEquals(item, value))
}

/** A `List` method. */
export function listMethod(
  list: VtlList,
  name: string,
  args: readonly TemplateValue[],
  rt: Runtime,
): MethodResult {
  const { items } = list
  const [a, b] = args
  const arity = args.length
  const grow = (): void => {
    if (list.fixedSize) unsupportedOperation()
    list.version++
  }
  switch (name) {
    case 'size':
      return arity === 0 ? BigInt(items.length) : NO_SUCH_METHOD
    case 'isEmpty':
      return arity === 0 ? items.length === 0 : NO_SUCH_METHOD
    case 'toString':
      return arity === 0 ? rt.stringify(list) : NO_SUCH_METHOD
    case 'get': {
      const index = intArg(a)
      if (arity !== 1 || index === undefined) return NO_SUCH_METHOD
      if (index < 0 || index >= items.length) indexOutOfBounds(index, items.length)
      return items[index] ?? null
    }
    case 'contains':
      return arity === 1 ? indexOfValue(items, a ?? null, rt) >= 0 : NO_SUCH_METHOD
    case 'indexOf':
      return arity === 1 ? BigInt(indexOfValue(items, a ?? null, rt)) : NO_SUCH_METHOD
    case 'lastIndexOf': {
      if (arity !== 1) return NO_SUCH_METHOD
      rt.charge(items.length)
      for (let i = items.length - 1; i >= 0; i--)
        if (javaEquals(items[i] ?? null, a ?? null)) return BigInt(i)
      return -1n
    }
    case 'add': {
      if (arity === 1) {
        grow()
        items.push(a ?? null)
        return true
      }
      const index = intArg(a)
      if (arity !== 2 || index === undefined) return NO_SUCH_METHOD
      if (index < 0 || index > items.length) indexOutOfBounds(index, items.length)
      grow()
      items.splice(index, 0, b ?? null)
      return null
    }
    case 'addAll': {
      if (arity !== 1 || !(a instanceof VtlList)) return NO_SUCH_METHOD
      rt.charge(a.items.length)
      grow()
      items.push(...a.items)
      return a.items.length > 0
    }
    case 'set': {
      const index = intArg(a)
      if (arity !== 2 || index === undefined) return NO_SUCH_METHOD
      if (index < 0 || index >= items.length) indexOutOfBounds(index, items.length)
      const previous = items[index] ?? null
      items[index] = b ?? null
      return previous
    }
    case 'remove': {
      if (arity !== 1) return NO_SUCH_METHOD
      // Velocity picks remove(int) for an integer argument, remove(Object) otherwise.
      const index = intArg(a)
      if (index !== undefined) {
        if (index < 0 || index >= items.length) indexOutOfBounds(index, items.length)
        grow()
        return items.splice(index, 1)[0] ?? null
      }
      const at = indexOfValue(items, a ?? null, rt)
      if (at < 0) return false
      grow()
      items.splice(at, 1)
      return true
    }
    case 'clear':
      if (arity !== 0) return NO_SUCH_METHOD
      grow()
      items.length = 0
      return null
    case 'subList': {
      const from = intArg(a)
      const to = intArg(b)
      if (arity !== 2 || from === undefined || to === undefined) return NO_SUCH_METHOD
      if (from < 0 || to > items.length || from > to) indexOutOfBounds(from < 0 ? from : to, items.length)
      return new VtlList(items.slice(from, to), list.jsonStyle)
    }
    case 'equals':
      return arity === 1 ? javaEquals(list, a ?? null) : NO_SUCH_METHOD
    default:
      return NO_SUCH_METHOD
  }
}

/** A `Map` method. */
export function mapMethod(
  map: VtlMap,
  name: string,
  args: readonly TemplateValue[],
  rt: Runtime,
): MethodResult {
  const [a, b] = args
  const arity = args.length
  const key = (value: TemplateValue | undefined): string =>
    typeof value === 'string' ? value : rt.stringify(value ?? null)
  switch (name) {
    case 'get':
      return arity === 1 ? map.get(key(a)) : NO_SUCH_METHOD
    case 'getOrDefault':
      return arity === 2 ? (map.has(key(a)) ? map.get(key(a)) : (b ?? null)) : NO_SUCH_METHOD
    case 'containsKey':
      return arity === 1 ? map.has(key(a)) : NO_SUCH_METHOD
    case 'containsValue':
      if (arity !== 1) return NO_SUCH_METHOD
      rt.charge(map.entries.size)
      for (const value of map.entries.values()) if (javaEquals(value, a ?? null)) return true
      return false
    case 'put':
      return arity === 2 ? map.put(key(a), b ?? null) : NO_SUCH_METHOD
    case 'putIfAbsent': {
      if (arity !== 2) return NO_SUCH_METHOD
      const existing = map.get(key(a))
      return existing === null ? map.put(key(a), b ?? null) : existing
    }
    case 'putAll':
      if (arity !== 1 || !(a instanceof VtlMap)) return NO_SUCH_METHOD
      rt.charge(a.entries.size)
      for (const [k, v] of [...a.entries]) map.put(k, v)
      return null
    case 'remove':
      return arity === 1 ? map.remove(key(a)) : NO_SUCH_METHOD
    case 'clear':
      if (arity !== 0) return NO_SUCH_METHOD
      map.clear()
      return null
    case 'size':
      return arity === 0 ? BigInt(map.entries.size) : NO_SUCH_METHOD
    case 'isEmpty':
      return arity === 0 ? map.entries.size === 0 : NO_SUCH_METHOD
    // keySet / values / entrySet are snapshots here (Java returns live views); they cannot grow.
    case 'keySet':
      rt.charge(map.entries.size)
      return arity === 0 ? new VtlList([...map.entries.keys()], false, true) : NO_SUCH_METHOD
    case 'values':
      rt.charge(map.entries.size)
      return arity === 0 ? new VtlList([...map.entries.values()], false, true) : NO_SUCH_METHOD
    case 'entrySet':
      rt.charge(map.entries.size)
      if (arity !== 0) return NO_SUCH_METHOD
      return new VtlList(
        [...map.entries].map(([k, v]) => new MapEntry(map, k, v)),
        false,
        true,
      )
    case 'toString':
      return arity === 0 ? rt.stringify(map) : NO_SUCH_METHOD
    case 'equals':
      return arity === 1 ? javaEquals(map, a ?? null) : NO_SUCH_METHOD
    default:
      return NO_SUCH_METHOD
  }
}

/** A `Map.Entry` method; `$entry.key` / `$entry.value` read through `entryProperty`. */
export function entryMethod(
  entry: MapEntry,
  name: string,
  args: readonly TemplateValue[],
  rt: Runtime,
): MethodResult {
  switch (name) {
    case 'getKey':
      return args.length === 0 ? entry.key : NO_SUCH_METHOD
    case 'getValue':
      return args.length === 0 ? entry.value : NO_SUCH_METHOD
    case 'setValue': {
      if (args.length !== 1) return NO_SUCH_METHOD
      const previous = entry.value
      entry.value = args[0] ?? null
      entry.map.put(entry.key, entry.value)
      return previous
    }
    case 'toString':
      return args.length === 0 ? rt.stringify(entry) : NO_SUCH_METHOD
    default:
      return NO_SUCH_METHOD
  }
}

/**
 * A property read (`$x.name`) on a list, map or entry, as Velocity's introspection resolves it for
 * these classes: a map answers `get("name")`; lists and strings only have `isEmpty()` as `empty`;
 * an entry has `getKey()` / `getValue()`. Anything else does not exist (`undefined`).
 */
export function collectionProperty(
  target: VtlList | VtlMap | MapEntry,
  name: string,
): TemplateValue | undefined {
  if (target instanceof VtlMap) return target.get(name)
  if (target instanceof VtlList) return name === 'empty' ? target.items.length === 0 : undefined
  if (name === 'key') return target.key
  if (name === 'value') return target.value
  return undefined
}
