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
import { checkEnum, ValidationErrors } from './validation.js'

/**
 * The order AWS lists the types in its enum ValidationException (recorded,
 * test_gateway_response_validation "get-gateway-response-wrong-response-type").
 */
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
] as const satisfies readonly GatewayResponseType[]

const PATH = '/restapis/{restapi_id}/gatewayresponses/{response_type}'
const STATUS_CODE = /^[1-5]\d\d$/

const responseType = (value: string | undefined): GatewayResponseType =>
  checkEnum(value ?? '', 'responseType', AWS_ENUM_ORDER)

const isFamilyDefault = (type: GatewayResponseType): boolean =>
  type === 'DEFAULT_4XX' || type === 'DEFAULT_5XX'

/** The family default a type stands under (AWS docs "supported-gateway-response-types"). */
function familyOf(type: GatewayResponseType): 'DEFAULT_4XX' | 'DEFAULT_5XX' | undefined {
  if (isFamilyDefault(type)) return undefined
  return Number(DEFAULT_GATEWAY_RESPONSE_STATUS[type]) < 500 ? 'DEFAULT_4XX' : 'DEFAULT_5XX'
}

/** A type as AWS ships it: its own status (none for the two family defaults), the default template. */
function builtIn(type: GatewayResponseType): GatewayResponse {
  const status = DEFAULT_GATEWAY_RESPONSE_STATUS[type]
  return {
    defaultResponse: true,
    responseParameters: {},
    responseTemplates: { 'application/json': DEFAULT_GATEWAY_TEMPLATE },
    responseType: type,
    ...(status !== undefined ? { statusCode: status } : {}),
  }
}

/**
 * The response a type has now, as GetGatewayResponse(s) answer: the customised one, else the
 * built-in default overlaid with what a customised DEFAULT_4XX / DEFAULT_5XX sets. Recorded
 * (test_gateway_response_put "get-gateway-responses"): after DEFAULT_5XX is put with status 599,
 * parameters and a template, every non-customised 5XX type lists status 599 with those parameters
 * and template and still `defaultResponse: true`; a customised AUTHORIZER_FAILURE keeps its own.
 */
export function effectiveGatewayResponse(doc: RestApiDocument, type: GatewayResponseType): GatewayResponse {
  const own = doc.gatewayResponses[type]
  if (own) return own
  const response = builtIn(type)
  const family = familyOf(type)
  const inherited = family ? doc.gatewayResponses[family] : undefined
  if (!inherited) return response
  return {
    ...response,
    responseParameters: { ...inherited.responseParameters },
    responseTemplates: { ...(inherited.responseTemplates ?? response.responseTemplates) },
    ...(inherited.statusCode !== undefined ? { statusCode: inherited.statusCode } : {}),
  }
}

/**
 * Gateway response header mappings are `gatewayresponse.header.NAME` (AWS docs
 * "customize-gateway-responses"). The refusal's wording is the one AWS uses for method
 * parameters (recorded "put-method-request-param-wrong-type").
 */
function checkParameterNames(parameters: Readonly<Record<string, string>>): void {
  for (const key of Object.keys(parameters)) {
    if (!/^gatewayresponse\.header\.[^.\s]+$/.test(key)) {
      throw badRequest(
        `Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: ${key}]`,
      )
    }
  }
}

/** One UpdateGatewayResponse operation (paths and messages recorded in test_update_gateway_response). */
function applyGatewayResponsePatch(response: GatewayResponse, op: PatchOperation): void {
  // Recorded "update-gateway-add-status-code" / "-remove-status-code": only replace reaches it.
  if (op.path === '/statusCode') {
    if (op.op !== 'replace') throw badRequest('Invalid patch path /statusCode')
    // AWS docs "supported-gateway-response-types": a family default's status may be reset to
    // null, which gives every non-customised type of the family its own status back.
    if (op.value === undefined && isFamilyDefault(response.responseType)) {
      delete response.statusCode
      return
    }
    if (!op.value || !STATUS_CODE.test(op.value))
      throw badRequest(`Invalid status code specified: ${op.value ?? 'null'}`)
    response.statusCode = op.value
    return
  }
  const [field, ...rest] = patchPathSegments(op.path)
  const key = rest.join('/')
  // Recorded "update-gateway-wrong-path": "Invalid patch path /wrongPath".
  if ((field !== 'responseParameters' && field !== 'responseTemplates') || key === '') {
    throw badRequest(`Invalid patch path ${op.path}`)
  }
  if (op.op !== 'add' && op.op !== 'remove' && op.op !== 'replace')
    throw invalidPatchOperation(['add', 'remove', 'replace'])
  const map: Record<string, string> = { ...response[field] }
  if (op.op === 'remove') {
    delete map[key]
  } else {
    // Recorded "update-gateway-replace-invalid-parameter-{0,1}-none".
    if (!op.value) throw badRequest(`Invalid null or empty value in ${field}`)
    // Recorded "update-gateway-replace-invalid-parameter": replace needs an existing parameter.
    if (op.op === 'replace' && field === 'responseParameters' && !Object.hasOwn(map, key)) {
      throw notFound('Invalid parameter name specified')
    }
    if (field === 'responseParameters') checkParameterNames({ [key]: op.value })
    map[key] = op.value
  }
  response[field] = map
}

/** Gateway responses of an API: `/restapis/{id}/gatewayresponses` (TestApiGatewayGatewayResponse). */
export const gatewayResponseRoutes: Route[] = [
  {
    method: 'GET',
    path: '/restapis/{restapi_id}/gatewayresponses',
    handler: async (req, { store, config }) => {
      const doc = await store.read((r) => loadApi(r, config, req.params['restapi_id'] ?? ''))
      // Every type, customised or not; the recording lists them sorted by type.
      const types = [...GATEWAY_RESPONSE_TYPES].sort()
      const items = types.map((type) => effectiveGatewayResponse(doc, type))
      return { status: 200, body: paginate(items, req.query) }
    },
  },
  {
    method: 'GET',
    path: PATH,
    handler: async (req, { store, config }) => {
      const type = responseType(req.params['response_type'])
      const doc = await store.read((r) => loadApi(r, config, req.params['restapi_id'] ?? ''))
      return { status: 200, body: effectiveGatewayResponse(doc, type) }
    },
  },
  {
    method: 'PUT',
    path: PATH,
    handler: async (req, { store, config }) => {
      const type = responseType(req.params['response_type'])
      const statusCode = req.body.string('statusCode')
      const errors = new ValidationErrors()
      errors.pattern(statusCode, 'putGatewayResponseInput.statusCode', '[1-5]\\d\\d')
      errors.throwIfAny()
      const responseParameters = req.body.stringMap('responseParameters') ?? {}
      checkParameterNames(responseParameters)
      // Recorded (test_gateway_response_put): a put replaces the whole response; what it leaves
      // out is the type's own default, not the family default's ("put-gateway-response-default-ignored").
      const defaults = builtIn(type)
      const response: GatewayResponse = {
        ...defaults,
        defaultResponse: false,
        responseParameters,
        responseTemplates: req.body.stringMap('responseTemplates') ?? defaults.responseTemplates ?? {},
        ...(statusCode !== undefined ? { statusCode } : {}),
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
      const type = responseType(req.params['response_type'])
      const operations = readPatchOperations(req.body, 'updateGatewayResponseInput')
      const response = await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '')
        // Recorded (update-gateway-response-not-set): patching a type never put customises it,
        // starting from its built-in default.
        const current = structuredClone(doc.gatewayResponses[type] ?? builtIn(type))
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
      const type = responseType(req.params['response_type'])
      await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '')
        // Recorded "delete-gateway-response-not-set".
        if (!doc.gatewayResponses[type]) throw notFound('Gateway response type not defined on api')
        delete doc.gatewayResponses[type]
        await saveApi(tx, doc)
      })
      return { status: 202 }
    },
  },
]
