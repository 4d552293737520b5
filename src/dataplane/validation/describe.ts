import type { ErrorObject } from 'ajv'

/**
 * Renders ajv's errors as `$context.error.validationErrorString`. API Gateway validates bodies
 * with the Java json-schema-validator (java-json-tools, "fge") and exposes its messages as a Java
 * list, e.g. `[object has missing required properties (["name"])]`; each keyword below uses that
 * library's wording (its validation.properties bundle). Known differences, since ajv is not fge:
 * - fge stops descending into an instance once any error is reported, so AWS may list fewer
 *   errors; here only errors below an instance that itself failed are dropped;
 * - fge lists errors in its own traversal order, and nests the reports of anyOf / oneOf branches
 *   (only the combinator's message shows); ajv's branch errors are removed heuristically;
 * - allOf failures show the failing branch's messages, not fge's "matched only n out of m".
 */
export function describeValidationErrors(errors: readonly ErrorObject[] | null | undefined): string {
  const kept = dropUnreachedErrors(dropBranchErrors(errors ?? []))
  const groups = new Map<string, ErrorObject[]>()
  for (const [index, error] of kept.entries()) {
    const key = GROUPED.has(error.keyword)
      ? `${error.keyword} ${error.instancePath} ${groupOf(error)}`
      : index
    const group = groups.get(String(key))
    if (group) group.push(error)
    else groups.set(String(key), [error])
  }
  return `[${[...groups.values()].map(describeGroup).join(', ')}]`
}

/** Keywords ajv reports once per property where fge reports once per instance. */
const GROUPED = new Set(['required', 'additionalProperties', 'dependencies'])

const groupOf = (error: ErrorObject): string =>
  error.keyword === 'dependencies' ? String(param(error, 'property')) : ''

function describeGroup(group: readonly ErrorObject[]): string {
  const first = group[0] as ErrorObject
  const data: unknown = first.data
  const text = typeof data === 'string' ? data : ''
  const count = Array.isArray(data) ? data.length : isObject(data) ? Object.keys(data).length : 0
  const limit = param(first, 'limit')
  switch (first.keyword) {
    case 'required':
      return `object has missing required properties (${jsonList(group.map((e) => param(e, 'missingProperty')))})`
    case 'additionalProperties':
      return `object instance has properties which are not allowed by the schema: ${jsonList(group.map((e) => param(e, 'additionalProperty')))}`
    case 'dependencies': {
      const requires = String(param(first, 'deps')).split(', ')
      const missing = group.map((e) => param(e, 'missingProperty'))
      return `property "${String(param(first, 'property'))}" of object has missing property dependencies (schema requires ${jsonList(requires)}; missing: ${jsonList(missing)})`
    }
    case 'type': {
      const allowed = param(first, 'type')
      const names = Array.isArray(allowed) ? allowed : String(allowed).split(',')
      return `instance type (${typeName(data)}) does not match any allowed primitive type (allowed: ${jsonList(names)})`
    }
    case 'enum':
      return `instance value (${JSON.stringify(data)}) not found in enum (possible values: ${JSON.stringify(param(first, 'allowedValues'))})`
    case 'minimum':
      return param(first, 'comparison') === '>'
        ? `numeric instance is not strictly greater than the required minimum ${String(limit)}`
        : `numeric instance is lower than the required minimum (minimum: ${String(limit)}, found: ${String(data)})`
    case 'maximum':
      return param(first, 'comparison') === '<'
        ? `numeric instance is not strictly lower than the required maximum ${String(limit)}`
        : `numeric instance is greater than the required maximum (maximum: ${String(limit)}, found: ${String(data)})`
    case 'multipleOf':
      return `remainder of division is not zero (${String(data)} / ${String(param(first, 'multipleOf'))})`
    case 'minLength':
      return `string "${text}" is too short (length: ${codePoints(text)}, required minimum: ${String(limit)})`
    case 'maxLength':
      return `string "${text}" is too long (length: ${codePoints(text)}, maximum allowed: ${String(limit)})`
    case 'pattern':
      return `ECMA 262 regex "${String(param(first, 'pattern'))}" does not match input string "${text}"`
    case 'format':
      return formatMessage(String(param(first, 'format')), text)
    case 'minItems':
      return `array is too short: must have at least ${String(limit)} elements but instance has ${count} elements`
    case 'maxItems':
      return `array is too long: must have at most ${String(limit)} elements but instance has ${count} elements`
    case 'additionalItems':
      return `schema only allows ${String(limit)} elements in array but instance has ${count} elements`
    case 'uniqueItems':
      return 'array must not contain duplicate elements'
    case 'minProperties':
      return `object has too few properties (found ${count} but schema requires at least ${String(limit)})`
    case 'maxProperties':
      return `object has too many properties (found ${count} but schema requires at most ${String(limit)})`
    case 'anyOf':
      return `instance failed to match at least one required schema among ${branchCount(first)}`
    case 'oneOf': {
      const passing = param(first, 'passingSchemas')
      return `instance failed to match exactly one schema (matched ${Array.isArray(passing) ? passing.length : 0} out of ${branchCount(first)})`
    }
    case 'not':
      return 'instance matched a schema which it should not have'
    default:
      return first.message ?? first.keyword
  }
}

function formatMessage(format: string, text: string): string {
  switch (format) {
    case 'date-time':
      return `string "${text}" is invalid against requested date format(s) [yyyy-MM-dd'T'HH:mm:ssZ, yyyy-MM-dd'T'HH:mm:ss.[0-9]{1,12}Z]`
    case 'email':
      return `string "${text}" is not a valid email address`
    case 'hostname':
      return `string "${text}" is not a valid hostname`
    case 'ipv4':
      return `string "${text}" is not a valid IPv4 address`
    case 'ipv6':
      return `string "${text}" is not a valid IPv6 address`
    case 'regex':
      return `string "${text}" is not a valid ECMA 262 regular expression`
    default:
      return `string "${text}" is not a valid URI`
  }
}

const COMBINATORS = new Set(['anyOf', 'oneOf', 'not'])

/** ajv names a schema of the API by its model URI; `#` is the schema being validated. */
const MODEL_URI = /^https:\/\/apigateway\.amazonaws\.com\/restapis\/[^/]+\/models\/[^/#]+/

const schemaResource = (schemaPath: string): string =>
  schemaPath.startsWith('#') ? '#' : (MODEL_URI.exec(schemaPath)?.[0] ?? schemaPath)

/**
 * Removes the errors of an anyOf / oneOf's branches, which fge keeps out of its report. ajv
 * reports them just before the combinator's own error, for the same instance or below it, with a
 * schema path under the combinator's (or in another model, reached through a branch's `$ref`).
 */
function dropBranchErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const out: ErrorObject[] = []
  for (const error of errors) {
    if (COMBINATORS.has(error.keyword)) {
      const prefix = `${error.schemaPath}/`
      const resource = schemaResource(error.schemaPath)
      for (let last = out.at(-1); last; last = out.at(-1)) {
        const isBranch = last.schemaPath.startsWith(prefix) || schemaResource(last.schemaPath) !== resource
        if (!isWithin(last.instancePath, error.instancePath) || !isBranch) break
        out.pop()
      }
    }
    out.push(error)
  }
  return out
}

/** fge does not validate the members of an instance that already failed (its `deepCheck` is off). */
function dropUnreachedErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const failed = new Set(errors.map((e) => e.instancePath))
  return errors.filter(
    (error) => ![...failed].some((path) => path !== error.instancePath && isWithin(error.instancePath, path)),
  )
}

const isWithin = (path: string, ancestor: string): boolean =>
  path === ancestor || path.startsWith(`${ancestor}/`)

const param = (error: ErrorObject, name: string): unknown => (error.params as Record<string, unknown>)[name]

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

const branchCount = (error: ErrorObject): number => (Array.isArray(error.schema) ? error.schema.length : 0)

/** fge's type names: a JSON number without a fraction is an `integer`. */
function typeName(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

/** A string's length in code points, as fge measures minLength / maxLength (and ajv too). */
const codePoints = (text: string): number => Array.from(text).length

/** A sorted JSON array as Jackson prints it (`["a","b"]`); fge sorts these name lists. */
const jsonList = (values: readonly unknown[]): string => JSON.stringify(values.map(String).sort())
