import {
  CONNECTION_TYPES,
  CONTENT_HANDLING,
  INTEGRATION_TYPES,
  PASSTHROUGH_BEHAVIORS,
  type ConnectionType,
  type ContentHandling,
  type Integration,
  type IntegrationResponse,
  type IntegrationType,
  type PassthroughBehavior,
} from '../model/index.js'
import { badRequest } from './api-error.js'
import { loadApi, saveApi } from './documents.js'
import type { Input } from './input.js'
import { checkIntegrationUri } from './integration-uri.js'
import { findIntegration, findMethod, integrationNotFound, responseNotFound } from './method-lookup.js'
import { checkStatusCode } from './methods.js'
import {
  invalidPatchOperation,
  patchPathSegments,
  readPatchOperations,
  type PatchOperation,
} from './patch.js'
import { resourceNotFound } from './resources.js'
import type { Route } from './router.js'
import { ValidationErrors } from './validation.js'

const INTEGRATION_PATH = '/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration'
const DEFAULT_TIMEOUT_MS = 29_000

/** Integrations and integration responses of a method. */
export const integrationRoutes: Route[] = [
  {
    method: 'PUT',
    path: INTEGRATION_PATH,
    handler: async (req, { store, config }) => {
      const integration = await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', resourceNotFound)
        const method = findMethod(doc, req.params['resource_id'] ?? '', req.params['http_method'] ?? '')
        const created = readPutIntegration(req.body, req.params['resource_id'] ?? '')
        method.methodIntegration = created
        await saveApi(tx, doc)
        return created
      })
      return { status: 201, body: integration }
    },
  },
  {
    method: 'GET',
    path: INTEGRATION_PATH,
    handler: async (req, { store, config }) => {
      const doc = await store.read((r) =>
        loadApi(r, config, req.params['restapi_id'] ?? '', resourceNotFound),
      )
      return {
        status: 200,
        body: findIntegration(doc, req.params['resource_id'] ?? '', req.params['http_method'] ?? ''),
      }
    },
  },
  {
    method: 'PATCH',
    path: INTEGRATION_PATH,
    handler: async (req, { store, config }) => {
      const operations = readPatchOperations(req.body, 'updateIntegrationInput')
      const integration = await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', resourceNotFound)
        const current = findIntegration(doc, req.params['resource_id'] ?? '', req.params['http_method'] ?? '')
        for (const op of operations) applyIntegrationPatch(current, op)
        checkIntegrationUri(current.type, current.uri)
        await saveApi(tx, doc)
        return current
      })
      return { status: 200, body: integration }
    },
  },
  {
    method: 'DELETE',
    path: INTEGRATION_PATH,
    handler: async (req, { store, config }) => {
      await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', resourceNotFound)
        const method = findMethod(doc, req.params['resource_id'] ?? '', req.params['http_method'] ?? '')
        if (!method.methodIntegration) throw integrationNotFound()
        delete method.methodIntegration
        await saveApi(tx, doc)
      })
      return { status: 204 }
    },
  },
  {
    method: 'PUT',
    path: `${INTEGRATION_PATH}/responses/{status_code}`,
    handler: async (req, { store, config }) => {
      const statusCode = checkStatusCode(req.params['status_code'] ?? '')
      const response = await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', resourceNotFound)
        const integration = findIntegration(
          doc,
          req.params['resource_id'] ?? '',
          req.params['http_method'] ?? '',
        )
        const created = readIntegrationResponse(req.body, statusCode)
        integration.integrationResponses = { ...integration.integrationResponses, [statusCode]: created }
        await saveApi(tx, doc)
        return created
      })
      return { status: 201, body: response }
    },
  },
  {
    method: 'GET',
    path: `${INTEGRATION_PATH}/responses/{status_code}`,
    handler: async (req, { store, config }) => {
      const statusCode = checkStatusCode(req.params['status_code'] ?? '')
      const doc = await store.read((r) =>
        loadApi(r, config, req.params['restapi_id'] ?? '', resourceNotFound),
      )
      const integration = findIntegration(
        doc,
        req.params['resource_id'] ?? '',
        req.params['http_method'] ?? '',
      )
      const response = integration.integrationResponses?.[statusCode]
      if (!response) throw responseNotFound()
      return { status: 200, body: response }
    },
  },
  {
    method: 'PATCH',
    path: `${INTEGRATION_PATH}/responses/{status_code}`,
    handler: async (req, { store, config }) => {
      const statusCode = checkStatusCode(req.params['status_code'] ?? '')
      const operations = readPatchOperations(req.body, 'updateIntegrationResponseInput')
      const response = await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', resourceNotFound)
        const integration = findIntegration(
          doc,
          req.params['resource_id'] ?? '',
          req.params['http_method'] ?? '',
        )
        const current = integration.integrationResponses?.[statusCode]
        if (!current) throw responseNotFound()
        for (const op of operations) applyIntegrationResponsePatch(current, op)
        await saveApi(tx, doc)
        return current
      })
      return { status: 200, body: response }
    },
  },
  {
    method: 'DELETE',
    path: `${INTEGRATION_PATH}/responses/{status_code}`,
    handler: async (req, { store, config }) => {
      const statusCode = checkStatusCode(req.params['status_code'] ?? '')
      await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', resourceNotFound)
        // Recorded (test_delete_integration_response_errors): a missing method answers "Invalid Integration identifier specified".
        const integration = findIntegration(
          doc,
          req.params['resource_id'] ?? '',
          req.params['http_method'] ?? '',
          integrationNotFound,
        )
        if (!integration.integrationResponses?.[statusCode]) throw responseNotFound()
        const responses = { ...integration.integrationResponses }
        delete responses[statusCode]
        integration.integrationResponses = responses
        await saveApi(tx, doc)
      })
      return { status: 204 }
    },
  },
]

function readPutIntegration(body: Input, resourceId: string): Integration {
  const type = body.string('type')
  const errors = new ValidationErrors()
  errors.enumValue(type, 'putIntegrationInput.type', INTEGRATION_TYPES)
  const passthroughBehavior = body.string('passthroughBehavior')
  errors.enumValue(passthroughBehavior, 'putIntegrationInput.passthroughBehavior', PASSTHROUGH_BEHAVIORS)
  const contentHandling = body.string('contentHandling')
  errors.enumValue(contentHandling, 'putIntegrationInput.contentHandling', CONTENT_HANDLING)
  const connectionType = body.string('connectionType')
  errors.enumValue(connectionType, 'putIntegrationInput.connectionType', CONNECTION_TYPES)
  errors.throwIfAny()
  if (type === undefined) throw badRequest('Enumeration value for IntegrationType must be non-empty')
  const integrationType = type as IntegrationType
  const httpMethod = body.string('httpMethod')
  if (integrationType !== 'MOCK' && !httpMethod)
    throw badRequest('Enumeration value for HttpMethod must be non-empty')
  const uri = body.string('uri')
  checkIntegrationUri(integrationType, uri)
  const timeoutInMillis = checkTimeout(body.integer('timeoutInMillis') ?? DEFAULT_TIMEOUT_MS)
  const requestParameters = body.stringMap('requestParameters')
  const requestTemplates = body.nullableStringMap('requestTemplates')
  const credentials = body.string('credentials')
  const cacheNamespace = body.string('cacheNamespace')
  const connectionId = body.string('connectionId')
  const tlsConfig = body.object('tlsConfig')
  const insecureSkipVerification = tlsConfig?.boolean('insecureSkipVerification')
  return {
    type: integrationType,
    ...(httpMethod !== undefined ? { httpMethod } : {}),
    ...(uri !== undefined ? { uri } : {}),
    ...(credentials !== undefined ? { credentials } : {}),
    ...(requestParameters ? { requestParameters } : {}),
    ...(requestTemplates ? { requestTemplates } : {}),
    passthroughBehavior: (passthroughBehavior as PassthroughBehavior | undefined) ?? 'WHEN_NO_MATCH',
    ...(contentHandling !== undefined ? { contentHandling: contentHandling as ContentHandling } : {}),
    timeoutInMillis,
    // AWS defaults the cache namespace to the resource id (docs "api-gateway-caching").
    cacheNamespace: cacheNamespace ?? resourceId,
    cacheKeyParameters: body.stringList('cacheKeyParameters') ?? [],
    ...(connectionType !== undefined ? { connectionType: connectionType as ConnectionType } : {}),
    ...(connectionId !== undefined ? { connectionId } : {}),
    ...(insecureSkipVerification !== undefined ? { tlsConfig: { insecureSkipVerification } } : {}),
  }
}

/** 50 ms to 29 s (AWS docs "limits"). */
function checkTimeout(timeout: number): number {
  if (timeout < 50 || timeout > DEFAULT_TIMEOUT_MS) {
    throw badRequest(`Timeout should be between 50 ms and ${DEFAULT_TIMEOUT_MS} ms`)
  }
  return timeout
}

function readIntegrationResponse(body: Input, statusCode: string): IntegrationResponse {
  const contentHandling = body.string('contentHandling')
  const errors = new ValidationErrors()
  errors.enumValue(contentHandling, 'putIntegrationResponseInput.contentHandling', CONTENT_HANDLING)
  errors.throwIfAny()
  const responseTemplates = body.nullableStringMap('responseTemplates')
  for (const contentType of Object.keys(responseTemplates ?? {})) checkContentType(contentType)
  const selectionPattern = body.string('selectionPattern')
  const responseParameters = body.stringMap('responseParameters')
  checkResponseParameters(responseParameters)
  return {
    statusCode,
    ...(selectionPattern !== undefined ? { selectionPattern } : {}),
    ...(responseParameters ? { responseParameters } : {}),
    ...(responseTemplates ? { responseTemplates } : {}),
    ...(contentHandling !== undefined ? { contentHandling: contentHandling as ContentHandling } : {}),
  }
}

/**
 * Integration response mappings read the integration's answer, the context and stage variables,
 * never the method request (AWS docs "request-response-data-mappings": "method.request.*" is not a
 * valid response mapping source).
 */
function checkResponseParameters(parameters: Readonly<Record<string, string>> | undefined): void {
  for (const [target, source] of Object.entries(parameters ?? {})) {
    const validTarget = /^method\.response\.header\.[^.]+$/.test(target)
    const validSource =
      /^'.*'$/s.test(source) ||
      /^integration\.response\.(header|multivalueheader)\.[^.]+$/.test(source) ||
      /^integration\.response\.body(\..+)?$/.test(source) ||
      /^context\..+$/.test(source) ||
      /^stageVariables\..+$/.test(source)
    if (!validTarget || !validSource) {
      throw badRequest(
        `Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: ${validTarget ? source : target}]`,
      )
    }
  }
}

/** Recorded: "Validation Result: warnings : [], errors : [Invalid content type specified: 123]". */
function checkContentType(contentType: string): void {
  if (!/^[\w.+-]+\/[\w.+*-]+$/.test(contentType) && contentType !== '$default') {
    throw badRequest(
      `Validation Result: warnings : [], errors : [Invalid content type specified: ${contentType}]`,
    )
  }
}

/** Map-valued members patched per key: /requestTemplates/application~1json etc. */
const MAP_FIELDS = ['requestParameters', 'requestTemplates'] as const
const SCALAR_FIELDS = [
  '/uri',
  '/httpMethod',
  '/type',
  '/credentials',
  '/passthroughBehavior',
  '/contentHandling',
  '/timeoutInMillis',
  '/cacheNamespace',
  '/connectionType',
  '/connectionId',
  '/tlsConfig/insecureSkipVerification',
]

function applyIntegrationPatch(integration: Integration, op: PatchOperation): void {
  const [field, ...rest] = patchPathSegments(op.path)
  const key = rest.join('/')
  if ((MAP_FIELDS as readonly string[]).includes(field ?? '')) {
    if (key === '') throw badRequest(`Invalid patch path ${op.path}`)
    if (op.op !== 'add' && op.op !== 'remove' && op.op !== 'replace')
      throw invalidPatchOperation(['add', 'remove', 'replace'])
    const map: Record<string, string | null> = { ...integration[field as (typeof MAP_FIELDS)[number]] }
    if (op.op === 'remove') delete map[key]
    else map[key] = op.value ?? ''
    if (field === 'requestParameters') {
      const params = map as Record<string, string>
      if (Object.keys(params).length > 0) integration.requestParameters = params
      else delete integration.requestParameters
    } else if (Object.keys(map).length > 0) integration.requestTemplates = map
    else delete integration.requestTemplates
    return
  }
  if (field === 'cacheKeyParameters') {
    const keys = new Set(integration.cacheKeyParameters)
    const name = key || (op.value ?? '')
    if (op.op === 'remove') keys.delete(name)
    else if (op.op === 'add' || op.op === 'replace') keys.add(name)
    else throw invalidPatchOperation(['add', 'remove'])
    integration.cacheKeyParameters = [...keys]
    return
  }
  if (!SCALAR_FIELDS.includes(op.path)) throw badRequest(`Invalid patch path ${op.path}`)
  if (op.op !== 'replace' && op.op !== 'remove') throw invalidPatchOperation(['replace'])
  const value = op.op === 'remove' ? undefined : op.value
  const errors = new ValidationErrors()
  switch (op.path) {
    case '/uri':
      if (value === undefined) delete integration.uri
      else integration.uri = value
      return
    case '/httpMethod':
      if (value === undefined) delete integration.httpMethod
      else integration.httpMethod = value
      return
    case '/type':
      errors.enumValue(value, 'updateIntegrationInput.type', INTEGRATION_TYPES)
      errors.throwIfAny()
      integration.type = (value ?? integration.type) as IntegrationType
      return
    case '/credentials':
      if (value === undefined) delete integration.credentials
      else integration.credentials = value
      return
    case '/passthroughBehavior':
      if (!PASSTHROUGH_BEHAVIORS.includes(value as PassthroughBehavior)) {
        throw badRequest(`Invalid passthrough behavior specified: ${value ?? 'null'}`)
      }
      integration.passthroughBehavior = value as PassthroughBehavior
      return
    case '/contentHandling':
      if (value === undefined || value === '') delete integration.contentHandling
      else if (CONTENT_HANDLING.includes(value as ContentHandling))
        integration.contentHandling = value as ContentHandling
      else throw badRequest(`Invalid contentHandling specified: ${value}`)
      return
    case '/timeoutInMillis': {
      const n = Number(value)
      if (!Number.isInteger(n)) throw badRequest(`Invalid timeout specified: ${value ?? 'null'}`)
      integration.timeoutInMillis = checkTimeout(n)
      return
    }
    case '/cacheNamespace':
      if (value === undefined) delete integration.cacheNamespace
      else integration.cacheNamespace = value
      return
    case '/connectionType':
      if (!CONNECTION_TYPES.includes(value as ConnectionType))
        throw badRequest(`Invalid connection type: ${value ?? 'null'}`)
      integration.connectionType = value as ConnectionType
      return
    case '/connectionId':
      if (value === undefined) delete integration.connectionId
      else integration.connectionId = value
      return
    case '/tlsConfig/insecureSkipVerification':
      integration.tlsConfig = { insecureSkipVerification: value === 'true' }
      return
  }
}

function applyIntegrationResponsePatch(response: IntegrationResponse, op: PatchOperation): void {
  const [field, ...rest] = patchPathSegments(op.path)
  const key = rest.join('/')
  if (field === 'responseParameters' || field === 'responseTemplates') {
    if (key === '') throw badRequest(`Invalid patch path ${op.path}`)
    if (op.op !== 'add' && op.op !== 'remove' && op.op !== 'replace')
      throw invalidPatchOperation(['add', 'remove', 'replace'])
    if (field === 'responseTemplates' && op.op !== 'remove') checkContentType(key)
    if (field === 'responseParameters' && op.op !== 'remove')
      checkResponseParameters({ [key]: op.value ?? '' })
    const map: Record<string, string | null> = { ...response[field] }
    if (op.op === 'remove') delete map[key]
    else map[key] = op.value ?? ''
    if (field === 'responseParameters') {
      const params = map as Record<string, string>
      if (Object.keys(params).length > 0) response.responseParameters = params
      else delete response.responseParameters
    } else if (Object.keys(map).length > 0) response.responseTemplates = map
    else delete response.responseTemplates
    return
  }
  if (op.path !== '/selectionPattern' && op.path !== '/contentHandling')
    throw badRequest(`Invalid patch path ${op.path}`)
  if (op.op !== 'replace' && op.op !== 'remove') throw invalidPatchOperation(['replace'])
  const value = op.op === 'remove' ? undefined : op.value
  if (op.path === '/selectionPattern') {
    if (value === undefined) delete response.selectionPattern
    else response.selectionPattern = value
  } else if (value === undefined || value === '') delete response.contentHandling
  else if (CONTENT_HANDLING.includes(value as ContentHandling))
    response.contentHandling = value as ContentHandling
  else throw badRequest(`Invalid contentHandling specified: ${value}`)
}
