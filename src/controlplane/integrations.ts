import {
  CONNECTION_TYPES,
  CONTENT_HANDLING,
  INTEGRATION_TYPES,
  type ConnectionType,
  type ContentHandling,
  type Integration,
  type IntegrationType,
} from '../model/index.js'
import { loadApi, saveApi } from './documents.js'
import type { Input } from './input.js'
import { applyIntegrationPatch } from './integration-patch.js'
import { checkIntegration, checkPassthroughBehavior, MAX_TIMEOUT_MS } from './integration-checks.js'
import { integrationResponseRoutes } from './integration-responses.js'
import { findIntegration, findMethod, integrationNotFound } from './method-lookup.js'
import { readPatchOperations } from './patch.js'
import { resourceNotFound } from './resources.js'
import type { Route } from './router.js'
import { ValidationErrors } from './validation.js'

const INTEGRATION_PATH = '/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration'

/** Integrations of a method (Put/Get/Update/DeleteIntegration) and their responses. */
export const integrationRoutes: Route[] = [
  {
    method: 'PUT',
    path: INTEGRATION_PATH,
    handler: async (req, { store, config }) => {
      const input = readPutIntegration(req.body)
      const integration = await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', resourceNotFound)
        const resourceId = req.params['resource_id'] ?? ''
        const method = findMethod(doc, resourceId, req.params['http_method'] ?? '')
        const created = buildIntegration(input, resourceId)
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
        // The result must still be an integration PutIntegration would accept.
        checkIntegration(current)
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
  ...integrationResponseRoutes,
]

/** A PutIntegration body, type-checked and enum-checked before anything is looked up. */
interface PutIntegrationInput {
  type: IntegrationType
  httpMethod: string | undefined
  uri: string | undefined
  credentials: string | undefined
  requestParameters: Record<string, string> | undefined
  requestTemplates: Record<string, string | null> | undefined
  passthroughBehavior: string | undefined
  contentHandling: ContentHandling | undefined
  timeoutInMillis: number | undefined
  cacheNamespace: string | undefined
  cacheKeyParameters: string[] | undefined
  connectionType: ConnectionType | undefined
  connectionId: string | undefined
  insecureSkipVerification: boolean | undefined
}

function readPutIntegration(body: Input): PutIntegrationInput {
  // Every member is deserialised first: a wrongly typed member is a SerializationException even
  // when the input is also invalid (recorded "put-integration-request-param-bool-value": an
  // HTTP_PROXY integration without httpMethod and with a boolean parameter value).
  const read = {
    type: body.string('type'),
    httpMethod: body.string('httpMethod'),
    uri: body.string('uri'),
    credentials: body.string('credentials'),
    requestParameters: body.stringMap('requestParameters'),
    requestTemplates: body.nullableStringMap('requestTemplates'),
    passthroughBehavior: body.string('passthroughBehavior'),
    contentHandling: body.string('contentHandling'),
    timeoutInMillis: body.integer('timeoutInMillis'),
    cacheNamespace: body.string('cacheNamespace'),
    cacheKeyParameters: body.stringList('cacheKeyParameters'),
    connectionType: body.string('connectionType'),
    connectionId: body.string('connectionId'),
    insecureSkipVerification: body.object('tlsConfig')?.boolean('insecureSkipVerification'),
  }
  // type, contentHandling and connectionType are enums of AWS's model (ValidationException,
  // recorded for type in test_put_integration_wrong_type); passthroughBehavior is a plain string.
  const errors = new ValidationErrors()
  if (read.type === undefined) {
    errors.add(
      "Value null at 'putIntegrationInput.type' failed to satisfy constraint: Member must not be null",
    )
  }
  errors.enumValue(read.type, 'putIntegrationInput.type', INTEGRATION_TYPES)
  errors.enumValue(read.contentHandling, 'putIntegrationInput.contentHandling', CONTENT_HANDLING)
  errors.enumValue(read.connectionType, 'putIntegrationInput.connectionType', CONNECTION_TYPES)
  errors.throwIfAny()
  return {
    ...read,
    type: read.type as IntegrationType,
    contentHandling: read.contentHandling as ContentHandling | undefined,
    connectionType: read.connectionType as ConnectionType | undefined,
  }
}

function buildIntegration(input: PutIntegrationInput, resourceId: string): Integration {
  const { type, httpMethod, uri, credentials, requestParameters, requestTemplates } = input
  const { contentHandling, connectionId, insecureSkipVerification } = input
  // HTTP and HTTP_PROXY integrations go over the internet unless told otherwise (recorded:
  // test_put_integration_validation "http-method-HTTP" answers connectionType INTERNET, the AWS
  // and MOCK ones answer none).
  const connectionType =
    input.connectionType ?? (type === 'HTTP' || type === 'HTTP_PROXY' ? 'INTERNET' : undefined)
  const integration: Integration = {
    type,
    ...(httpMethod !== undefined ? { httpMethod } : {}),
    ...(uri !== undefined ? { uri } : {}),
    ...(connectionType !== undefined ? { connectionType } : {}),
    ...(connectionId !== undefined ? { connectionId } : {}),
    ...(credentials !== undefined ? { credentials } : {}),
    ...(requestParameters ? { requestParameters } : {}),
    ...(requestTemplates ? { requestTemplates } : {}),
    passthroughBehavior: checkPassthroughBehavior(input.passthroughBehavior ?? 'WHEN_NO_MATCH'),
    ...(contentHandling !== undefined ? { contentHandling } : {}),
    timeoutInMillis: input.timeoutInMillis ?? MAX_TIMEOUT_MS,
    // AWS defaults the cache namespace to the resource id (recorded "<cache-namespace:1>" is
    // the resource id; docs "api-gateway-caching").
    cacheNamespace: input.cacheNamespace ?? resourceId,
    cacheKeyParameters: input.cacheKeyParameters ?? [],
    ...(insecureSkipVerification !== undefined ? { tlsConfig: { insecureSkipVerification } } : {}),
  }
  checkIntegration(integration)
  return integration
}
