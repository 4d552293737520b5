import { describe, expect, it } from 'vitest'
import type { RestApiDocument } from '../../../src/model/index.js'
import { DeploymentValidators, modelUri } from '../../../src/dataplane/validation/compile.js'
import { describeValidationErrors } from '../../../src/dataplane/validation/describe.js'

/** Validates `data` against `schema` (model "M", with "Other" available to $ref) and describes it. */
function describeFailure(schema: object, data: unknown, other: object = { type: 'object' }): string {
  const models = { M: schema, Other: other }
  const doc = {
    api: { id: 'api1' },
    resources: {},
    models: Object.fromEntries(
      Object.entries(models).map(([name, s]) => [
        name,
        { id: name, name, contentType: 'application/json', schema: JSON.stringify(s) },
      ]),
    ),
    requestValidators: { v: { id: 'v', validateRequestBody: true, validateRequestParameters: false } },
    gatewayResponses: {},
  } as unknown as RestApiDocument
  const validation = new DeploymentValidators(doc).forMethod({
    httpMethod: 'POST',
    authorizationType: 'NONE',
    apiKeyRequired: false,
    requestValidatorId: 'v',
    requestModels: { 'application/json': 'M' },
  })
  const model = validation?.bodyModels?.get('application/json')
  if (!model || !('validate' in model)) throw new Error('model did not compile')
  expect(model.validate(data)).toBe(false)
  return describeValidationErrors(model.validate.errors)
}

describe('describeValidationErrors (fge json-schema-validator wording)', () => {
  it('groups missing required properties, sorted, in one message', () => {
    expect(describeFailure({ type: 'object', required: ['name', 'age'] }, {})).toBe(
      '[object has missing required properties (["age","name"])]',
    )
  })

  it('does not descend into an instance that already failed', () => {
    const schema = { type: 'object', required: ['name'], properties: { price: { type: 'number' } } }
    expect(describeFailure(schema, { price: 'free' })).toBe(
      '[object has missing required properties (["name"])]',
    )
    expect(describeFailure(schema, { name: 'a', price: 'free' })).toBe(
      '[instance type (string) does not match any allowed primitive type (allowed: ["number"])]',
    )
  })

  it('lists independent failures as a Java list', () => {
    const schema = {
      type: 'object',
      properties: { a: { type: ['integer', 'string'] }, b: { enum: ['x', 1] }, c: { minLength: 3 } },
    }
    expect(describeFailure(schema, { a: 1.5, b: 'y', c: 'bb' })).toBe(
      '[instance type (number) does not match any allowed primitive type (allowed: ["integer","string"]), ' +
        'instance value ("y") not found in enum (possible values: ["x",1]), ' +
        'string "bb" is too short (length: 2, required minimum: 3)]',
    )
  })

  it('words numeric, string, array and object keywords as fge does', () => {
    const cases: [object, unknown, string][] = [
      [{ minimum: 3 }, 1, 'numeric instance is lower than the required minimum (minimum: 3, found: 1)'],
      [
        { minimum: 3, exclusiveMinimum: true },
        3,
        'numeric instance is not strictly greater than the required minimum 3',
      ],
      [{ maximum: 3 }, 4, 'numeric instance is greater than the required maximum (maximum: 3, found: 4)'],
      [
        { maximum: 3, exclusiveMaximum: true },
        3,
        'numeric instance is not strictly lower than the required maximum 3',
      ],
      [{ multipleOf: 2 }, 3, 'remainder of division is not zero (3 / 2)'],
      [{ maxLength: 1 }, 'héé', 'string "héé" is too long (length: 3, maximum allowed: 1)'],
      [{ pattern: '^a' }, 'b', 'ECMA 262 regex "^a" does not match input string "b"'],
      [{ format: 'email' }, 'nope', 'string "nope" is not a valid email address'],
      [{ minItems: 2 }, [1], 'array is too short: must have at least 2 elements but instance has 1 elements'],
      [
        { maxItems: 1 },
        [1, 2],
        'array is too long: must have at most 1 elements but instance has 2 elements',
      ],
      [{ uniqueItems: true }, [1, 1], 'array must not contain duplicate elements'],
      [
        { minProperties: 2 },
        { a: 1 },
        'object has too few properties (found 1 but schema requires at least 2)',
      ],
      [{ not: { type: 'string' } }, 'a', 'instance matched a schema which it should not have'],
    ]
    for (const [schema, data, message] of cases) expect(describeFailure(schema, data)).toBe(`[${message}]`)
  })

  it('groups properties that are not allowed', () => {
    const schema = { type: 'object', properties: { a: {} }, additionalProperties: false }
    expect(describeFailure(schema, { z: 1, a: 1, b: 2 })).toBe(
      '[object instance has properties which are not allowed by the schema: ["b","z"]]',
    )
  })

  it('reports an anyOf / oneOf as one message, without its branches', () => {
    const anyOf = { anyOf: [{ $ref: modelUri('api1', 'Other') }, { type: 'string' }] }
    expect(describeFailure(anyOf, 3, { type: 'object', required: ['x'] })).toBe(
      '[instance failed to match at least one required schema among 2]',
    )
    const oneOf = { type: 'object', required: ['id'], oneOf: [{ required: ['a'] }, { required: ['b'] }] }
    expect(describeFailure(oneOf, { a: 1, b: 2 })).toBe(
      // The order is ajv's (combinators first), not necessarily fge's; the root `required` stays.
      '[instance failed to match exactly one schema (matched 2 out of 2), object has missing required properties (["id"])]',
    )
  })

  it('follows $ref into other models', () => {
    const schema = { type: 'object', properties: { tag: { $ref: modelUri('api1', 'Other') } } }
    expect(describeFailure(schema, { tag: {} }, { type: 'object', required: ['label'] })).toBe(
      '[object has missing required properties (["label"])]',
    )
  })
})
