/**
 * Records keyed by names from requests or from an API's configuration (headers, parameters, stage
 * variables) are plain objects: a name like `constructor` or `toString` must find only what was
 * set under it, never Object's members, and `__proto__` must stay an ordinary key.
 */

/** The value under `key` if the record has it as its own property. */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined
}

/** Sets an own data property, `__proto__` included (assigning that name would set the prototype). */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}
