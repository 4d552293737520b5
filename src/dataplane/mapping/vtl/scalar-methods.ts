/**
 * The Java methods a template may call on strings, numbers and booleans: an allowlist, one `case`
 * per method. A method not listed here (or called with arguments of the wrong type) does not exist
 * for the template, as in Velocity, where an unresolvable method yields null. Java exceptions
 * (`substring` out of range, a bad regex) end the render, as they do in AWS.
 */
import { TemplateError } from './errors.js'
import { javaMatches, javaReplace, javaSplit } from './java-regex.js'
import { javaEquals } from './java-text.js'
import { intArg, VtlList, type Runtime, type TemplateValue } from './values.js'

/** Marks a method that does not exist for the receiver. */
export const NO_SUCH_METHOD: unique symbol = Symbol('NO_SUCH_METHOD')
/** What a method call answers: a value, or `NO_SUCH_METHOD`. */
export type MethodResult = TemplateValue | typeof NO_SUCH_METHOD

function outOfBounds(what: string): never {
  throw new TemplateError('runtime', `java.lang.StringIndexOutOfBoundsException: ${what}`)
}

/** Java `String.trim`: removes characters up to U+0020 from both ends. */
function javaTrim(text: string): string {
  let start = 0
  let end = text.length
  while (start < end && text.charCodeAt(start) <= 0x20) start++
  while (end > start && text.charCodeAt(end - 1) <= 0x20) end--
  return text.slice(start, end)
}

/** Java `String.hashCode`. */
function javaHash(text: string): bigint {
  let hash = 0
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0
  return BigInt(hash)
}

function equalsIgnoreCase(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? ''
    const y = b[i] ?? ''
    if (x !== y && x.toUpperCase() !== y.toUpperCase() && x.toLowerCase() !== y.toLowerCase()) return false
  }
  return true
}

function compareStrings(a: string, b: string): bigint {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const diff = a.charCodeAt(i) - b.charCodeAt(i)
    if (diff !== 0) return BigInt(diff)
  }
  return BigInt(a.length - b.length)
}

/** A `String` method. */
export function stringMethod(
  text: string,
  name: string,
  args: readonly TemplateValue[],
  rt: Runtime,
): MethodResult {
  const [a, b] = args
  const arity = args.length
  // Constant-time methods are free; the others scan or copy the text.
  if (name !== 'length' && name !== 'isEmpty' && name !== 'charAt' && name !== 'toString')
    rt.chargeChars(text.length)
  switch (name) {
    case 'length':
      return arity === 0 ? BigInt(text.length) : NO_SUCH_METHOD
    case 'isEmpty':
      return arity === 0 ? text.length === 0 : NO_SUCH_METHOD
    case 'toString':
    case 'intern':
      return arity === 0 ? text : NO_SUCH_METHOD
    case 'toLowerCase':
      return arity === 0 ? text.toLowerCase() : NO_SUCH_METHOD
    case 'toUpperCase':
      return arity === 0 ? text.toUpperCase() : NO_SUCH_METHOD
    case 'trim':
      return arity === 0 ? javaTrim(text) : NO_SUCH_METHOD
    case 'hashCode':
      return arity === 0 ? javaHash(text) : NO_SUCH_METHOD
    case 'charAt': {
      const index = intArg(a)
      if (arity !== 1 || index === undefined) return NO_SUCH_METHOD
      if (index < 0 || index >= text.length) outOfBounds(`index ${index}, length ${text.length}`)
      return text[index] ?? ''
    }
    case 'substring': {
      const begin = intArg(a)
      const end = arity === 2 ? intArg(b) : text.length
      if (arity < 1 || arity > 2 || begin === undefined || end === undefined) return NO_SUCH_METHOD
      if (begin < 0 || end > text.length || begin > end)
        outOfBounds(`begin ${begin}, end ${end}, length ${text.length}`)
      return text.slice(begin, end)
    }
    case 'contains':
      return arity === 1 && typeof a === 'string' ? text.includes(a) : nullArgument(a, arity)
    case 'startsWith': {
      const offset = arity === 2 ? intArg(b) : 0
      if (arity < 1 || arity > 2 || typeof a !== 'string' || offset === undefined)
        return nullArgument(a, arity)
      return offset >= 0 && offset <= text.length && text.startsWith(a, offset)
    }
    case 'endsWith':
      return arity === 1 && typeof a === 'string' ? text.endsWith(a) : nullArgument(a, arity)
    case 'indexOf':
    case 'lastIndexOf':
      return indexOf(text, name === 'lastIndexOf', args)
    case 'equals':
      return arity === 1 ? typeof a === 'string' && a === text : NO_SUCH_METHOD
    case 'equalsIgnoreCase':
      return arity === 1 ? typeof a === 'string' && equalsIgnoreCase(text, a) : NO_SUCH_METHOD
    case 'compareTo':
      return arity === 1 && typeof a === 'string' ? compareStrings(text, a) : nullArgument(a, arity)
    case 'concat':
      return arity === 1 && typeof a === 'string' ? rt.checkString(text + a) : nullArgument(a, arity)
    case 'replace':
      if (arity !== 2 || typeof a !== 'string' || typeof b !== 'string')
        return nullArgument(a ?? b ?? null, arity, 2)
      return rt.checkString(text.replaceAll(a, () => b))
    case 'replaceAll':
    case 'replaceFirst':
      if (arity !== 2 || typeof a !== 'string' || typeof b !== 'string')
        return nullArgument(a ?? b ?? null, arity, 2)
      return rt.checkString(javaReplace(text, a, b, name === 'replaceAll'))
    case 'matches':
      return arity === 1 && typeof a === 'string' ? javaMatches(text, a) : nullArgument(a, arity)
    case 'split': {
      const limit = arity === 2 ? intArg(b) : 0
      if (arity < 1 || arity > 2 || typeof a !== 'string' || limit === undefined)
        return nullArgument(a, arity)
      return new VtlList(javaSplit(text, a, limit), false, true)
    }
    default:
      return NO_SUCH_METHOD
  }
}

/** Java throws NullPointerException for a null argument where a string is required. */
function nullArgument(arg: TemplateValue | undefined, arity: number, expected = 1): MethodResult {
  if (arg === null && arity === expected) throw new TemplateError('runtime', 'java.lang.NullPointerException')
  return NO_SUCH_METHOD
}

function indexOf(text: string, last: boolean, args: readonly TemplateValue[]): MethodResult {
  const [a, b] = args
  const needle =
    typeof a === 'string'
      ? a
      : typeof a === 'bigint' && a >= 0n && a <= 0x10ffffn
        ? String.fromCodePoint(Number(a))
        : undefined
  const from = args.length === 2 ? intArg(b) : undefined
  if (needle === undefined || args.length > 2 || (args.length === 2 && from === undefined))
    return nullArgument(a ?? null, args.length)
  if (!last) return BigInt(text.indexOf(needle, Math.max(from ?? 0, 0)))
  if (from !== undefined && from < 0) return -1n
  return BigInt(text.lastIndexOf(needle, from ?? Infinity))
}

/** A method of `Integer`/`Long` (bigint) or `Double` (number). */
export function numberMethod(
  value: bigint | number,
  name: string,
  args: readonly TemplateValue[],
  rt: Runtime,
): MethodResult {
  const [a] = args
  if (args.length > 1 || (args.length === 1 && name !== 'equals' && name !== 'compareTo'))
    return NO_SUCH_METHOD
  switch (name) {
    case 'toString':
      return rt.stringify(value)
    case 'intValue':
      // Long.intValue wraps; Double.intValue is Java's saturating (int) cast.
      return typeof value === 'bigint'
        ? BigInt.asIntN(32, value)
        : clamp(toJavaLong(value), -2147483648n, 2147483647n)
    case 'longValue':
      return BigInt.asIntN(64, toJavaLong(value))
    case 'doubleValue':
      return Number(value)
    case 'floatValue':
      return Math.fround(Number(value))
    case 'equals':
      return args.length === 1 ? javaEquals(value, a ?? null) : NO_SUCH_METHOD
    case 'compareTo':
      if (args.length !== 1 || typeof a !== typeof value) return NO_SUCH_METHOD
      return value < (a as typeof value) ? -1n : value > (a as typeof value) ? 1n : 0n
    default:
      return NO_SUCH_METHOD
  }
}

function clamp(value: bigint, min: bigint, max: bigint): bigint {
  return value < min ? min : value > max ? max : value
}

/** Java's `(long)` cast of a double (saturating, NaN to 0), or the integer itself. */
function toJavaLong(value: bigint | number): bigint {
  if (typeof value === 'bigint') return value
  if (Number.isNaN(value)) return 0n
  if (value >= 2 ** 63) return 2n ** 63n - 1n
  if (value <= -(2 ** 63)) return -(2n ** 63n)
  return BigInt(Math.trunc(value))
}

/** A method of `Boolean`. */
export function booleanMethod(value: boolean, name: string, args: readonly TemplateValue[]): MethodResult {
  switch (name) {
    case 'toString':
      return args.length === 0 ? String(value) : NO_SUCH_METHOD
    case 'booleanValue':
      return args.length === 0 ? value : NO_SUCH_METHOD
    case 'equals':
      return args.length === 1 ? args[0] === value : NO_SUCH_METHOD
    default:
      return NO_SUCH_METHOD
  }
}
