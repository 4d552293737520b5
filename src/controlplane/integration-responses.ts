import { CONTENT_HANDLING, type ContentHandling, type IntegrationResponse } from '../model/index.js'
import { badRequest } from './api-error.js'
import { loadApi, saveApi } from './documents.js'
import type { Input } from './input.js'
import { checkContentType } from './integration-checks.js'
import {
  checkStatusCode,
  findIntegration,
  integrationNotFound,
  mapPatchKey,
  readResponsePatch,
  responseNotFound,
} from './method-lookup.js'
import { invalidPatchOperation, patchPathSegments, type PatchOperation } from './patch.js'
import { resourceNotFound } from './resources.js'
import type { Route } from './router.js'
import { checkEnum, ValidationErrors } from './validation.js'

const RESPONSE_PATH =
  '/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code}'

/** Integration responses: Put/Get/Update/DeleteIntegrationResponse. */
export const integrationResponseRoutes: Route[] = [
  {
    method: 'PUT',
    path: RESPONSE_PATH,
    handler: async (req, { store, config }) => {
      const statusCode = req.params['status_code'] ?? ''
      const input = readPutIntegrationResponse(req.body, statusCode)
      const response = await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', resourceNotFound)
        const integration = findIntegration(
          doc,
          req.params['resource_id'] ?? '',
          req.params['http_method'] ?? '',
        )
        checkIntegrationResponse(input)
        // A second put replaces the response (recorded "overwrite-integration-response").
        integration.integrationResponses = { ...integration.integrationResponses, [statusCode]: input }
        await saveApi(tx, doc)
        return input
      })
      return { status: 201, body: response }
    },
  },
  {
    method: 'GET',
    path: RESPONSE_PATH,
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
    path: RESPONSE_PATH,
    handler: async (req, { store, config }) => {
      const statusCode = req.params['status_code'] ?? ''
      const operations = readResponsePatch(req.body, 'updateIntegrationResponseInput', statusCode)
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
    path: RESPONSE_PATH,
    handler: async (req, { store, config }) => {
      const statusCode = checkStatusCode(req.params['status_code'] ?? '')
      await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', resourceNotFound)
        // Recorded (test_delete_integration_response_errors "non-existent-method", "bad-method"):
        // a missing method answers "Invalid Integration identifier specified" here.
        const integration = findIntegration(
          doc,
          req.params['resource_id'] ?? '',
          req.params['http_method'] ?? '',
          integrationNotFound,
        )
        if (!integration.integrationResponses?.[statusCode]) throw responseNotFound()
        const responses = { ...integration.integrationResponses }
        delete responses[statusCode]
        // Without responses the member is gone (recorded "get-method-get-after-int-resp-delete").
        if (Object.keys(responses).length > 0) integration.integrationResponses = responses
        else delete integration.integrationResponses
        await saveApi(tx, doc)
      })
      return { status: 204 }
    },
  },
]

/**
 * A PutIntegrationResponse body: members are deserialised first (a number as template is the
 * recorded SerializationException "...TruncatingBigNumber can not be converted to an String"),
 * then the input is validated (status code pattern, contentHandling enum) in one exception.
 */
function readPutIntegrationResponse(body: Input, statusCode: string): IntegrationResponse {
  const selectionPattern = body.string('selectionPattern')
  const responseParameters = body.stringMap('responseParameters')
  const templates = body.nullableStringMap('responseTemplates')
  const contentHandling = body.string('contentHandling')
  const errors = new ValidationErrors()
  errors.enumValue(contentHandling, 'putIntegrationResponseInput.contentHandling', CONTENT_HANDLING)
  checkStatusCode(statusCode, errors)
  // An empty template is stored as null, as AWS answers it (recorded:
  // test_put_integration_response_templates "put-integration-response-template-empty").
  const responseTemplates =
    templates && Object.fromEntries(Object.entries(templates).map(([type, t]) => [type, t === '' ? null : t]))
  return {
    statusCode,
    ...(selectionPattern !== undefined ? { selectionPattern } : {}),
    ...(responseParameters ? { responseParameters } : {}),
    ...(responseTemplates ? { responseTemplates } : {}),
    ...(contentHandling !== undefined ? { contentHandling: contentHandling as ContentHandling } : {}),
  }
}

function checkIntegrationResponse(response: IntegrationResponse): void {
  for (const contentType of Object.keys(response.responseTemplates ?? {})) checkContentType(contentType)
  checkResponseParameters(response.responseParameters)
}

/**
 * Integration response mappings set method response headers from the integration's answer, the
 * context, stage variables or a literal, never from the method request (AWS docs
 * "request-response-data-mappings"). The wording is the one AWS records for bad mappings.
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

/** One UpdateIntegrationResponse operation: `/selectionPattern`, `/contentHandling`, or a map entry. */
function applyIntegrationResponsePatch(response: IntegrationResponse, op: PatchOperation): void {
  const [field, ...rest] = patchPathSegments(op.path)
  if (field === 'responseParameters' || field === 'responseTemplates') {
    const key = mapPatchKey(op, rest)
    if (op.op !== 'add' && op.op !== 'remove' && op.op !== 'replace') {
      throw invalidPatchOperation(['add', 'remove', 'replace'])
    }
    const map: Record<string, string | null> = { ...response[field] }
    if (op.op === 'remove') delete map[key]
    else if (field === 'responseParameters') map[key] = op.value ?? ''
    else map[key] = op.value === undefined || op.value === '' ? null : op.value
    if (field === 'responseParameters') {
      response.responseParameters = map as Record<string, string>
      if (Object.keys(map).length === 0) delete response.responseParameters
    } else {
      response.responseTemplates = map
      if (Object.keys(map).length === 0) delete response.responseTemplates
    }
    checkIntegrationResponse(response)
    return
  }
  if (op.path !== '/selectionPattern' && op.path !== '/contentHandling') {
    throw badRequest(`Invalid patch path ${op.path}`)
  }
  if (op.op !== 'replace' && op.op !== 'remove') throw invalidPatchOperation(['replace', 'remove'])
  const value = op.op === 'remove' ? undefined : op.value
  if (op.path === '/selectionPattern') {
    if (value === undefined) delete response.selectionPattern
    else response.selectionPattern = value
  } else if (value === undefined || value === '') delete response.contentHandling
  else
    response.contentHandling = checkEnum(
      value,
      'updateIntegrationResponseInput.contentHandling',
      CONTENT_HANDLING,
    )
}
