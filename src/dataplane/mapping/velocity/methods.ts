import { javaRegex, javaReplacement } from './java-regex.js'
import { isHost, JavaDouble, javaString, numericValue, type TemplateValue } from './values.js'

/** Thrown by a method for a runtime failure that Java would raise (index out of range, ...). */
export class MethodFailure extends Error {}

const str = (v: TemplateValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined)
const int = (v: TemplateValue | undefined): number | undefined => {
  const n = numericValue(v)
  return n === undefined ? undefined : Math.trunc(n)
}

/**
 * Calls a method on a value, through an allowlist per kind of value: the Java methods mapping
 * templates use on String, List and Map. Anything else is `undefined` (Velocity then prints the
 * reference as written). Nothing here reads a JS property named by the template.
 */
export function callMethod(
  target: TemplateValue,
  name: string,
  args: readonly TemplateValue[],
): TemplateValue | undefined {
  // Maps first: the most common target (`$input.params().header.get($name)` in a loop), and
  // isHost's property read is slower on them.
  if (target instanceof Map) return mapMethod(target, name, args)
  if (typeof target === 'string') return stringMethod(target, name, args)
  if (Array.isArray(target)) return listMethod(target, name, args)
  if (isHost(target)) return target.call(name, args)
  if (typeof target === 'number' || target instanceof JavaDouble) return numberMethod(target, name, args)
  if (typeof target === 'boolean') {
    if (name === 'toString') return javaString(target)
    if (name === 'equals') return args[0] === target
    if (name === 'booleanValue') return target
  }
  return undefined
}

/** `$value.name`: a map's entry; for other values only Java bean properties templates use. */
export function readProperty(target: TemplateValue, name: string): TemplateValue | undefined {
  if (target instanceof Map) return target.get(name)
  if (isHost(target)) return target.property(name)
  if (typeof target === 'string' || Array.isArray(target)) {
    // Velocity resolves $x.empty to isEmpty(), $x.class is refused.
    if (name === 'empty') return target.length === 0
    if (name === 'bytes' && typeof target === 'string') return [...Buffer.from(target)]
  }
  return undefined
}

function stringMethod(s: string, name: string, args: readonly TemplateValue[]): TemplateValue | undefined {
  const a = args[0]
  const b = args[1]
  switch (name) {
    case 'length':
      return s.length
    case 'isEmpty':
      return s.length === 0
    case 'toString':
    case 'trim':
      return name === 'trim' ? javaTrim(s) : s
    case 'toLowerCase':
      return s.toLowerCase()
    case 'toUpperCase':
      return s.toUpperCase()
    case 'contains':
      return str(a) === undefined ? undefined : s.includes(javaString(a ?? null))
    case 'startsWith':
      return str(a) === undefined ? undefined : s.startsWith(str(a) ?? '', int(b) ?? 0)
    case 'endsWith':
      return str(a) === undefined ? undefined : s.endsWith(str(a) ?? '')
    case 'equals':
      return a === s
    case 'equalsIgnoreCase':
      return typeof a === 'string' && a.toLowerCase() === s.toLowerCase()
    case 'indexOf':
      return s.indexOf(javaString(a ?? null), int(b) ?? 0)
    case 'lastIndexOf':
      return s.lastIndexOf(javaString(a ?? null))
    case 'charAt': {
      const i = int(a)
      if (i === undefined || i < 0 || i >= s.length)
        throw new MethodFailure(`String index out of range: ${String(i)}`)
      return s.charAt(i)
    }
    case 'substring': {
      const start = int(a)
      const end = args.length > 1 ? int(b) : s.length
      if (start === undefined || end === undefined || start < 0 || end > s.length || start > end) {
        throw new MethodFailure(`String index out of range: ${String(start)}`)
      }
      return s.substring(start, end)
    }
    case 'concat':
      return s + (str(a) ?? '')
    case 'replace':
      return str(a) === undefined || str(b) === undefined
        ? undefined
        : s.split(str(a) ?? '').join(str(b) ?? '')
    case 'replaceAll':
    case 'replaceFirst': {
      if (str(a) === undefined || str(b) === undefined) return undefined
      const regex = javaRegex(str(a) ?? '', name === 'replaceAll' ? 'g' : '')
      return s.replace(regex, javaReplacement(str(b) ?? ''))
    }
    case 'matches':
      return str(a) === undefined
        ? undefined
        : new RegExp(`^(?:${javaRegex(str(a) ?? '', '').source})$`, 'u').test(s)
    case 'split': {
      if (str(a) === undefined) return undefined
      const parts = s.split(javaRegex(str(a) ?? '', ''))
      // Java drops trailing empty strings.
      while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop()
      return parts
    }
    case 'hashCode': {
      let h = 0
      for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0
      return h
    }
    default:
      return undefined
  }
}

function listMethod(
  list: TemplateValue[],
  name: string,
  args: readonly TemplateValue[],
): TemplateValue | undefined {
  const a = args[0]
  const b = args[1]
  switch (name) {
    case 'size':
      return list.length
    case 'isEmpty':
      return list.length === 0
    case 'get': {
      const i = int(a)
      if (i === undefined || i < 0 || i >= list.length)
        throw new MethodFailure(`Index ${String(i)} out of bounds`)
      return list[i] ?? null
    }
    case 'contains':
      return list.some((item) => javaEquals(item, a ?? null))
    case 'indexOf':
      return list.findIndex((item) => javaEquals(item, a ?? null))
    case 'add':
      if (args.length === 2) {
        const i = int(a)
        if (i === undefined || i < 0 || i > list.length)
          throw new MethodFailure(`Index ${String(i)} out of bounds`)
        list.splice(i, 0, b ?? null)
        return null
      }
      list.push(a ?? null)
      return true
    case 'addAll':
      if (!Array.isArray(a)) return undefined
      list.push(...a)
      return true
    case 'remove': {
      const i = int(a)
      if (i === undefined || i < 0 || i >= list.length) return undefined
      return list.splice(i, 1)[0] ?? null
    }
    case 'set': {
      const i = int(a)
      if (i === undefined || i < 0 || i >= list.length)
        throw new MethodFailure(`Index ${String(i)} out of bounds`)
      const previous = list[i] ?? null
      list[i] = b ?? null
      return previous
    }
    case 'clear':
      list.length = 0
      return null
    case 'toString':
      return javaString(list)
    default:
      return undefined
  }
}

function mapMethod(
  map: Map<string, TemplateValue>,
  name: string,
  args: readonly TemplateValue[],
): TemplateValue | undefined {
  const a = args[0]
  const b = args[1]
  const key = a === undefined || a === null ? undefined : javaString(a)
  switch (name) {
    case 'get':
      return key !== undefined ? (map.get(key) ?? null) : null
    case 'containsKey':
      return key !== undefined && map.has(key)
    case 'containsValue':
      return [...map.values()].some((v) => javaEquals(v, a ?? null))
    case 'put': {
      if (key === undefined) return undefined
      const previous = map.get(key) ?? null
      map.set(key, b ?? null)
      return previous
    }
    case 'putAll':
      if (!(a instanceof Map)) return undefined
      for (const [k, v] of a) map.set(k, v)
      return null
    case 'remove': {
      if (key === undefined) return null
      const previous = map.get(key) ?? null
      map.delete(key)
      return previous
    }
    case 'size':
      return map.size
    case 'isEmpty':
      return map.size === 0
    case 'keySet':
      return [...map.keys()]
    case 'values':
      return [...map.values()]
    case 'entrySet':
      return [...map].map(([k, v]) => entry(k, v))
    case 'toString':
      return javaString(map)
    default:
      return undefined
  }
}

/** A Map.Entry: `$e.key`, `$e.value`, `$e.getKey()`, `$e.getValue()`. */
function entry(key: string, value: TemplateValue): TemplateValue {
  return {
    kind: 'host',
    property: (name) => (name === 'key' ? key : name === 'value' ? value : undefined),
    call: (name) =>
      name === 'getKey'
        ? key
        : name === 'getValue'
          ? value
          : name === 'toString'
            ? `${key}=${javaString(value)}`
            : undefined,
  }
}

function numberMethod(
  n: number | JavaDouble,
  name: string,
  args: readonly TemplateValue[],
): TemplateValue | undefined {
  const value = n instanceof JavaDouble ? n.value : n
  switch (name) {
    case 'toString':
      return javaString(n)
    case 'intValue':
    case 'longValue':
      return Math.trunc(value)
    case 'doubleValue':
    case 'floatValue':
      return new JavaDouble(value)
    case 'equals':
      return numericValue(args[0] ?? null) === value
    default:
      return undefined
  }
}

/** Java `equals` for the values templates compare. */
export function javaEquals(a: TemplateValue, b: TemplateValue): boolean {
  const na = numericValue(a)
  const nb = numericValue(b)
  if (na !== undefined && nb !== undefined) return na === nb
  if (typeof a === 'string' || typeof a === 'boolean' || a === null) return a === b
  return javaString(a) === javaString(b)
}

/** Java's String.trim: strips every character up to U+0020 from both ends. */
function javaTrim(s: string): string {
  let start = 0
  let end = s.length
  while (start < end && s.charCodeAt(start) <= 0x20) start++
  while (end > start && s.charCodeAt(end - 1) <= 0x20) end--
  return s.slice(start, end)
}
