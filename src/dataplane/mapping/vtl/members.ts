/**
 * Member access for a reference step, dispatched by the kind of the target: `$x.name`, `$x[i]`,
 * `$x.name(args)`. This is the only way a template reaches into a value, and every branch ends in
 * an allowlist (`scalar-methods.ts`, `collection-methods.ts`, a host object's `switch`).
 */
import { collectionProperty, entryMethod, listMethod, mapMethod } from './collection-methods.js'
import { TemplateError } from './errors.js'
import {
  booleanMethod,
  NO_SUCH_METHOD,
  numberMethod,
  stringMethod,
  type MethodResult,
} from './scalar-methods.js'
import { HostObject, intArg, MapEntry, VtlList, VtlMap, type Runtime, type TemplateValue } from './values.js'

/** `$x.name`: a map key, an allowlisted property, or null. */
export function readProperty(target: TemplateValue, name: string, rt: Runtime): TemplateValue {
  if (target instanceof HostObject) return target.property(name, rt) ?? null
  if (target instanceof VtlList || target instanceof VtlMap || target instanceof MapEntry) {
    return collectionProperty(target, name) ?? null
  }
  // `String.isEmpty()` is the one property (an `is` getter) Velocity finds on a String.
  return typeof target === 'string' && name === 'empty' ? target.length === 0 : null
}

/**
 * `$x[i]` (Velocity 1.7): a list index (negative counts from the end; out of range is Java's
 * `IndexOutOfBoundsException`) or a map key.
 */
export function readIndex(target: TemplateValue, index: TemplateValue, rt: Runtime): TemplateValue {
  if (target instanceof VtlMap) return target.get(typeof index === 'string' ? index : rt.stringify(index))
  if (!(target instanceof VtlList)) return null
  const i = intArg(index)
  if (i === undefined) return null
  const at = i < 0 ? target.items.length + i : i
  if (at < 0 || at >= target.items.length) {
    throw new TemplateError(
      'runtime',
      `java.lang.IndexOutOfBoundsException: Index: ${i}, Size: ${target.items.length}`,
    )
  }
  return target.items[at] ?? null
}

/** `$x.name(args)`: an allowlisted method, or `NO_SUCH_METHOD`. */
export function callMethod(
  target: TemplateValue,
  name: string,
  args: readonly TemplateValue[],
  rt: Runtime,
): MethodResult {
  if (target === null) return NO_SUCH_METHOD
  switch (typeof target) {
    case 'string':
      return stringMethod(target, name, args, rt)
    case 'bigint':
    case 'number':
      return numberMethod(target, name, args, rt)
    case 'boolean':
      return booleanMethod(target, name, args)
    default:
      break
  }
  if (target instanceof VtlList) return listMethod(target, name, args, rt)
  if (target instanceof VtlMap) return mapMethod(target, name, args, rt)
  if (target instanceof MapEntry) return entryMethod(target, name, args, rt)
  return target.invoke(name, args, rt) ?? NO_SUCH_METHOD
}
