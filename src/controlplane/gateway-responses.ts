import {
  DEFAULT_GATEWAY_RESPONSE_STATUS,
  DEFAULT_GATEWAY_TEMPLATE,
  GATEWAY_RESPONSE_TYPES,
  type GatewayResponse,
  type GatewayResponseType,
  type RestApiDocument,
} from '../model/index.js'
import { badRequest, notFound } from './api-error.js'
import { loadApi, saveApi } from './documents.js'
import { paginate } from './paging.js'
import {
  invalidPatchOperation,
  patchPathSegments,
  readPatchOperations,
  type PatchOperation,
} from './patch.js'
import type { Route } from './router.js'
import { ValidationErrors } from './validation.js'

/** The order AWS lists the types in its enum validation message (recorded). */
const AWS_ENUM_ORDER = [
  'REQUEST_TOO_LARGE',
  'RESOURCE_NOT_FOUND',
  'AUTHORIZER_CONFIGURATION_ERROR',
  'MISSING_AUTHENTICATION_TOKEN',
  'BAD_REQUEST_BODY',
  'INVALID_SIGNATURE',
  'INVALID_API_KEY',
  'BAD_REQUEST_PARAMETERS',
  'AUTHORIZER_FAILURE',
  'UNAUTHORIZED',
  'INTEGRATION_TIMEOUT',
  'ACCESS_DENIED',
  'DEFAULT_4XX',
  'DEFAULT_5XX',
  'WAF_FILTERED',
  'QUOTA_EXCEEDED',
  'THROTTLED',
  'API_CONFIGURATION_ERROR',
  'UNSUPPORTED_MEDIA_TYPE',
  'INTEGRATION_FAILURE',
  'EXPIRED_TOKEN',
] as const

const PATH = '/restapis/{restapi_id}/gatewayresponses/{response_type}'

function checkType(value: string): GatewayResponseType {
  const errors = new ValidationErrors()
  errors.enumValue(value, 'responseType', AWS_ENUM_ORDER)
  errors.throwIfAny()
  return value as GatewayResponseType
}

/** The family default a non-customised type inherits from (AWS docs "supported-gateway-response-types"). */
function familyOf(type: GatewayResponseType): 'DEFAULT_4XX' | 'DEFAULT_5XX' | undefined {
  if (type === 'DEFAULT_4XX' || type === 'DEFAULT_5XX') return undefined
  return Number(DEFAULT_GATEWAY_RESPONSE_STATUS[type]) < 500 ? 'DEFAULT_4XX' : 'DEFAULT_5XX'
}

/**
 * The response a type has now: customised, else AWS's default for it (with what a customised
 * DEFAULT_4XX / DEFAULT_5XX passes down), as GetGatewayResponse answers (recorded shapes).
 */
export function effectiveGatewayResponse(doc: RestApiDocument, type: GatewayResponseType): GatewayResponse {
  const own = doc.gatewayResponses[type]
  if (own) return own
  const family = familyOf(type)
  const inherited = family ? doc.gatewayResponses[family] : undefined
  const status = DEFAULT_GATEWAY_RESPONSE_STATUS[type]
  return {
    defaultResponse: true,
    responseParameters: { ...inherited?.responseParameters },
    responseTemplates: inherited?.responseTemplates ?? { 'application/json': DEFAULT_GATEWAY_TEMPLATE },
    responseType: type,
    ...(status !== undefined ? { statusCode: status } : {}),
  }
}

/** Gateway responses of an API: `/restapis/{id}/gatewayresponses`. */
export const gatewayResponseRoutes: Route[] = [
  {
    method: 'GET',
    path: '/restapis/{restapi_id}/gatewayresponses',
    handler: async (req, { store, config }) => {
      const doc = await store.read((r) => loadApi(r, config, req.params['restapi_id'] ?? ''))
      const types = [...GATEWAY_RESPONSE_TYPES].sort()
      return {
        status: 200,
        body: paginate(
          types.map((t) => effectiveGatewayResponse(doc, t)),
          req.query,
        ),
      }
    },
  },
  {
    method: 'GET',
    path: PATH,
    handler: async (req, { store, config }) => {
      const doc = await store.read((r) => loadApi(r, config, req.params['restapi_id'] ?? ''))
      return {
        status: 200,
        body: effectiveGatewayResponse(doc, checkType(req.params['response_type'] ?? '')),
      }
    },
  },
  {
    method: 'PUT',
    path: PATH,
    handler: async (req, { store, config }) => {
      const type = checkType(req.params['response_type'] ?? '')
      const statusCode = req.body.string('statusCode')
      const errors = new ValidationErrors()
      errors.pattern(statusCode, 'putGatewayResponseInput.statusCode', '[1-5]\\d\\d')
      errors.throwIfAny()
      const responseParameters = req.body.stringMap('responseParameters') ?? {}
      const responseTemplates = req.body.stringMap('responseTemplates') ?? {
        'application/json': DEFAULT_GATEWAY_TEMPLATE,
      }
      checkParameters(responseParameters)
      const status = statusCode ?? DEFAULT_GATEWAY_RESPONSE_STATUS[type]
      const response: GatewayResponse = {
        defaultResponse: false,
        responseParameters,
        responseTemplates,
        responseType: type,
        ...(status !== undefined ? { statusCode: status } : {}),
      }
      await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '')
        doc.gatewayResponses[type] = response
        await saveApi(tx, doc)
      })
      return { status: 201, body: response }
    },
  },
  {
    method: 'PATCH',
    path: PATH,
    handler: async (req, { store, config }) => {
      const type = checkType(req.params['response_type'] ?? '')
      const operations = readPatchOperations(req.body, 'updateGatewayResponseInput')
      const response = await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '')
        // Recorded (update-gateway-response-not-set): patching a default type customises it.
        const current = structuredClone(effectiveGatewayResponse(doc, type))
        current.defaultResponse = false
        for (const op of operations) applyGatewayResponsePatch(current, op)
        doc.gatewayResponses[type] = current
        await saveApi(tx, doc)
        return current
      })
      return { status: 200, body: response }
    },
  },
  {
    method: 'DELETE',
    path: PATH,
    handler: async (req, { store, config }) => {
      const type = checkType(req.params['response_type'] ?? '')
      await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '')
        if (!doc.gatewayResponses[type]) throw notFound('Gateway response type not defined on api')
        delete doc.gatewayResponses[type]
        await saveApi(tx, doc)
      })
      return { status: 202 }
    },
  },
]

function checkParameters(parameters: Readonly<Record<string, string>>): void {
  for (const key of Object.keys(parameters)) {
    if (!/^gatewayresponse\.header\.[^.]+$/.test(key)) {
      throw badRequest(
        `Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: ${key}]`,
      )
    }
  }
}

/** One UpdateGatewayResponse operation (paths and messages recorded in test_update_gateway_response). */
function applyGatewayResponsePatch(response: GatewayResponse, op: PatchOperation): void {
  if (op.path === '') throw badRequest('Invalid patch path null')
  if (op.path === '/statusCode') {
    if (op.op !== 'replace') throw badRequest('Invalid patch path /statusCode')
    if (!op.value || !/^[1-5]\d\d$/.test(op.value))
      throw badRequest(`Invalid status code specified: ${op.value ?? 'null'}`)
    response.statusCode = op.value
    return
  }
  const [field, ...rest] = patchPathSegments(op.path)
  const key = rest.join('/')
  if ((field !== 'responseParameters' && field !== 'responseTemplates') || key === '') {
    throw badRequest(`Invalid patch path ${op.path}`)
  }
  if (op.op !== 'add' && op.op !== 'remove' && op.op !== 'replace')
    throw invalidPatchOperation(['add', 'remove', 'replace'])
  const map: Record<string, string> = { ...response[field] }
  if (op.op === 'remove') {
    delete map[key]
  } else {
    if (!op.value) throw badRequest(`Invalid null or empty value in ${field}`)
    if (op.op === 'replace' && field === 'responseParameters' && !Object.hasOwn(map, key)) {
      throw notFound('Invalid parameter name specified')
    }
    if (field === 'responseParameters') checkParameters({ [key]: op.value })
    map[key] = op.value
  }
  response[field] = map
}
