import { serializationError } from './api-error.js'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/**
 * Typed access to a request body's members. A member of the wrong JSON type is a
 * SerializationException worded as AWS's Java deserialiser words it ("class java.lang.Boolean
 * can not be converted to an String", recorded in test_apigateway_api.snapshot.json), so the
 * store never sees a value of the wrong type.
 */
export class Input {
  constructor(readonly raw: Record<string, Json>) {}

  static of(body: unknown): Input {
    if (body === undefined || body === null) return new Input({})
    if (typeof body !== 'object' || Array.isArray(body)) {
      throw serializationError('Start of structure or map found where not expected.')
    }
    return new Input(body as Record<string, Json>)
  }

  has(name: string): boolean {
    return this.raw[name] !== undefined && this.raw[name] !== null
  }

  string(name: string): string | undefined {
    return asString(this.raw[name])
  }

  boolean(name: string): boolean | undefined {
    const value = this.raw[name]
    if (value === undefined || value === null) return undefined
    if (typeof value === 'boolean') return value
    // AWS's deserialiser accepts the strings "true"/"false" for booleans.
    if (value === 'true' || value === 'false') return value === 'true'
    throw serializationError(`${javaClassOf(value)} can not be converted to a Boolean`)
  }

  /** An integer member; AWS accepts numeric strings too. */
  integer(name: string): number | undefined {
    const value = this.raw[name]
    if (value === undefined || value === null) return undefined
    if (typeof value === 'number' && Number.isInteger(value)) return value
    if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value)
    throw serializationError(`${javaClassOf(value)} can not be converted to an Integer`)
  }

  number(name: string): number | undefined {
    const value = this.raw[name]
    if (value === undefined || value === null) return undefined
    if (typeof value === 'number') return value
    if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
      return Number(value)
    throw serializationError(`${javaClassOf(value)} can not be converted to a Double`)
  }

  stringList(name: string): string[] | undefined {
    const value = this.raw[name]
    if (value === undefined || value === null) return undefined
    if (!Array.isArray(value)) throw serializationError('Expected list or null')
    return value.map((item) => asString(item) ?? '')
  }

  stringMap(name: string): Record<string, string> | undefined {
    return this.#map(name, asString)
  }

  /** Maps whose values may be null (AWS keeps `null` request templates, for instance). */
  nullableStringMap(name: string): Record<string, string | null> | undefined {
    return this.#map(name, (v) => (v === null ? null : asString(v)))
  }

  booleanMap(name: string): Record<string, boolean> | undefined {
    return this.#map(name, (v) => new Input({ v }).boolean('v'))
  }

  object(name: string): Input | undefined {
    const value = this.raw[name]
    if (value === undefined || value === null) return undefined
    return Input.of(value)
  }

  #map<T>(name: string, convert: (value: Json) => T | undefined): Record<string, T> | undefined {
    const value = this.raw[name]
    if (value === undefined || value === null) return undefined
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw serializationError('Start of structure or map found where not expected.')
    }
    const out: Record<string, T> = {}
    for (const [key, item] of Object.entries(value)) {
      const converted = convert(item)
      if (converted !== undefined) out[key] = converted
    }
    return out
  }
}

function asString(value: Json | undefined): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') return value
  throw serializationError(`${javaClassOf(value)} can not be converted to an String`)
}

function javaClassOf(value: Json): string {
  if (typeof value === 'boolean') return 'class java.lang.Boolean'
  if (typeof value === 'number') return 'class com.amazon.coral.value.json.numbers.TruncatingBigNumber'
  if (typeof value === 'string') return 'class java.lang.String'
  if (Array.isArray(value)) return 'class java.util.ArrayList'
  return 'class java.util.LinkedHashMap'
}
