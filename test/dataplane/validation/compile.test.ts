import { describe, expect, it } from 'vitest'
import type { Method, RestApiDocument } from '../../../src/model/index.js'
import { DeploymentValidators, modelUri, type BodyModel } from '../../../src/dataplane/validation/compile.js'

const API_ID = 'abc123'

/** A snapshot with just what validation reads: models and request validators. */
function snapshot(models: Record<string, object | string>): RestApiDocument {
  return {
    api: { id: API_ID } as RestApiDocument['api'],
    resources: {},
    models: Object.fromEntries(
      Object.entries(models).map(([name, schema]) => [
        name,
        {
          id: name,
          name,
          contentType: 'application/json',
          schema: typeof schema === 'string' ? schema : JSON.stringify(schema),
        },
      ]),
    ),
    requestValidators: {
      all: { id: 'all', validateRequestBody: true, validateRequestParameters: true },
      body: { id: 'body', validateRequestBody: true, validateRequestParameters: false },
      params: { id: 'params', validateRequestBody: false, validateRequestParameters: true },
    },
    gatewayResponses: {},
  }
}

function method(validatorId: string | undefined, requestModels: Record<string, string> = {}): Method {
  return {
    httpMethod: 'POST',
    authorizationType: 'NONE',
    apiKeyRequired: false,
    ...(validatorId === undefined ? {} : { requestValidatorId: validatorId }),
    requestParameters: {
      'method.request.querystring.qs1': true,
      'method.request.path.issuer': true,
      'method.request.header.x-header-param': true,
      'method.request.querystring.optional': false,
    },
    requestModels,
  }
}

function validateWith(model: BodyModel | undefined, body: unknown): boolean {
  if (!model || !('validate' in model)) throw new Error(`not compiled: ${JSON.stringify(model)}`)
  return model.validate(body)
}

describe('DeploymentValidators', () => {
  const tag = { type: 'object', required: ['label'], properties: { label: { type: 'string' } } }
  const item = {
    $schema: 'http://json-schema.org/draft-04/schema#',
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string' }, tag: { $ref: modelUri(API_ID, 'Tag') } },
  }

  it('returns nothing for a method without a known validator', () => {
    const validators = new DeploymentValidators(snapshot({}))
    expect(validators.forMethod(method(undefined))).toBeUndefined()
    expect(validators.forMethod(method('nope'))).toBeUndefined()
    expect(validators.forMethod(method('constructor'))).toBeUndefined()
  })

  it('lists required parameters sorted by full key, only when parameters are validated', () => {
    const validators = new DeploymentValidators(snapshot({}))
    expect(validators.forMethod(method('params'))?.requiredParameters).toEqual([
      'method.request.header.x-header-param',
      'method.request.path.issuer',
      'method.request.querystring.qs1',
    ])
    expect(validators.forMethod(method('params'))?.bodyModels).toBeUndefined()
    expect(validators.forMethod(method('body'))?.requiredParameters).toBeUndefined()
  })

  it('compiles once per method and resolves $ref between models', () => {
    const validators = new DeploymentValidators(snapshot({ Tag: tag, Item: item }))
    const post = method('all', { 'Application/JSON': 'Item' })
    const first = validators.forMethod(post)
    expect(validators.forMethod(post)).toBe(first)
    const model = first?.bodyModels?.get('application/json')
    expect(validateWith(model, { name: 'a', tag: { label: 'x' } })).toBe(true)
    expect(validateWith(model, { name: 'a', tag: {} })).toBe(false)
    expect(validateWith(model, { tag: { label: 'x' } })).toBe(false)
  })

  it('marks a model it cannot compile as unusable instead of throwing', () => {
    const validators = new DeploymentValidators(
      snapshot({
        Dangling: { type: 'object', properties: { x: { $ref: modelUri(API_ID, 'Missing') } } },
        NotAnObject: '[1]',
        Fine: { type: 'object' },
      }),
    )
    const models = validators.forMethod(
      method('body', {
        'application/json': 'Dangling',
        'text/plain': 'NotAnObject',
        'application/xml': 'Unknown',
        $default: 'Fine',
      }),
    )?.bodyModels
    expect(models?.get('application/json')).toMatchObject({
      modelName: 'Dangling',
      unusable: expect.any(String),
    })
    expect(models?.get('text/plain')).toMatchObject({ unusable: 'the schema is not a JSON object' })
    expect(models?.get('application/xml')).toMatchObject({ unusable: 'no model named Unknown' })
    expect(validateWith(models?.get('$default'), {})).toBe(true)
  })

  it('enforces the draft 4 formats the Java validator checks, and ignores others', () => {
    const validators = new DeploymentValidators(
      snapshot({
        Formats: {
          type: 'object',
          properties: {
            when: { type: 'string', format: 'date-time' },
            ip: { type: 'string', format: 'ipv4' },
            other: { type: 'string', format: 'uuid' },
          },
        },
      }),
    )
    const model = validators
      .forMethod(method('body', { 'application/json': 'Formats' }))
      ?.bodyModels?.get('application/json')
    expect(validateWith(model, { when: '2024-02-29T10:00:00.123Z', ip: '10.0.0.1', other: 'x' })).toBe(true)
    expect(validateWith(model, { when: '2023-02-29T10:00:00Z' })).toBe(false)
    expect(validateWith(model, { ip: '10.0.0' })).toBe(false)
  })
})
