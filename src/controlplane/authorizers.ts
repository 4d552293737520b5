import {
  AUTHORIZER_TYPES,
  newId,
  resourcePath,
  type Authorizer,
  type AuthorizerType,
  type RestApiDocument,
} from '../model/index.js'
import { badRequest, conflict, notFound } from './api-error.js'
import { loadApi, saveApi } from './documents.js'
import type { Input } from './input.js'
import { paginate } from './paging.js'
import {
  invalidPatchPath,
  patchPathSegments,
  readPatchOperations,
  unsupportedPatchOp,
  type PatchOperation,
} from './patch.js'
import type { Route } from './router.js'
import { callLambdaAuthorizer } from '../auth/lambda-authorizer.js'
import { verifyCognitoToken } from '../auth/cognito/verify.js'
import { functionFromUri } from '../integrations/lambda/function-uri.js'

/** Unknown authorizer (AWS's NotFoundException wording for authorizer ids). */
const authorizerNotFound = (): Error => notFound('Invalid Authorizer identifier specified')

/** AWS's limit on the result TTL (AWS docs "apigateway-use-lambda-authorizer": 0 to 3600 s). */
const MAX_TTL_SECONDS = 3600

const IDENTITY_SOURCE =
  /^(method\.request\.(header|querystring|multivalueheader|multivaluequerystring)\.[^,\s]+|stageVariables\.[^,\s]+|context\.[^,\s]+)$/

function findAuthorizer(doc: RestApiDocument, id: string): Authorizer | undefined {
  const all = doc.authorizers ?? {}
  return Object.hasOwn(all, id) ? all[id] : undefined
}

/**
 * What AWS requires of an authorizer: a name and a type; a Lambda authorizer (TOKEN, REQUEST)
 * its function URI; a TOKEN authorizer one header as identity source; a REQUEST authorizer with
 * caching on at least one source; a user pool authorizer its pool ARNs; a TTL of 0-3600 s.
 * (Texts are Tollgate's: AWS's are not recorded.)
 */
function checkAuthorizer(a: Authorizer): void {
  if (!a.name.trim()) throw badRequest('Authorizer name must be non-empty')
  if (!(AUTHORIZER_TYPES as readonly string[]).includes(a.type))
    throw badRequest(
      `Invalid authorizer type: ${a.type}. Must be one of: [TOKEN, REQUEST, COGNITO_USER_POOLS]`,
    )
  const ttl = a.authorizerResultTtlInSeconds
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 0 || ttl > MAX_TTL_SECONDS))
    throw badRequest(`Invalid authorizerResultTtlInSeconds: ${ttl}. Must be between 0 and 3600`)
  if (a.type === 'COGNITO_USER_POOLS') {
    if (!a.providerARNs?.length) throw badRequest('A COGNITO_USER_POOLS authorizer requires providerARNs')
    for (const arn of a.providerARNs) {
      if (!/^arn:aws[\w-]*:cognito-idp:[\w-]+:\d{12}:userpool\/[\w-]+$/.test(arn))
        throw badRequest(`Invalid provider ARN: ${arn}`)
    }
  } else if (!a.authorizerUri) {
    throw badRequest(`A ${a.type} authorizer requires an authorizerUri`)
  }
  const sources = (a.identitySource ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  for (const source of sources)
    if (!IDENTITY_SOURCE.test(source)) throw badRequest(`Invalid identity source: ${source}`)
  if (a.type === 'TOKEN' && (sources.length !== 1 || !sources[0]?.startsWith('method.request.header.')))
    throw badRequest('A TOKEN authorizer takes one identitySource of the form method.request.header.{name}')
  if (a.type === 'REQUEST' && sources.length === 0 && (a.authorizerResultTtlInSeconds ?? 300) > 0)
    throw badRequest('A REQUEST authorizer with caching enabled requires an identitySource')
  if (a.identityValidationExpression !== undefined) {
    try {
      new RegExp(a.identityValidationExpression)
    } catch {
      throw badRequest(`Invalid identityValidationExpression: ${a.identityValidationExpression}`)
    }
  }
}

function readAuthorizer(body: Input): Authorizer {
  const type = body.string('type') ?? ''
  const optional = {
    providerARNs: body.stringList('providerARNs'),
    authType: body.string('authType'),
    authorizerUri: body.string('authorizerUri'),
    authorizerCredentials: body.string('authorizerCredentials'),
    identitySource: body.string('identitySource'),
    identityValidationExpression: body.string('identityValidationExpression'),
    authorizerResultTtlInSeconds: body.integer('authorizerResultTtlInSeconds'),
  }
  const authorizer: Authorizer = {
    id: newId(6),
    name: body.string('name') ?? '',
    type: type as AuthorizerType,
  }
  for (const [key, value] of Object.entries(optional))
    if (value !== undefined) (authorizer as unknown as Record<string, unknown>)[key] = value
  return authorizer
}

const STRING_PATHS = [
  '/name',
  '/type',
  '/authType',
  '/authorizerUri',
  '/authorizerCredentials',
  '/identitySource',
  '/identityValidationExpression',
] as const
const PATCH_PATHS = [...STRING_PATHS, '/authorizerResultTtlInSeconds', '/providerARNs/{arn}']

/** One UpdateAuthorizer operation (AWS API reference, UpdateAuthorizer; patch-operations page). */
function applyAuthorizerPatch(a: Authorizer, op: PatchOperation): void {
  const [field, ...rest] = patchPathSegments(op.path)
  if (field === 'providerARNs' && rest.length > 0) {
    const arn = rest.join('/')
    if (op.op === 'add') a.providerARNs = [...new Set([...(a.providerARNs ?? []), arn])]
    else if (op.op === 'remove') a.providerARNs = (a.providerARNs ?? []).filter((p) => p !== arn)
    else throw unsupportedPatchOp(op)
    return
  }
  if (op.op !== 'replace') throw unsupportedPatchOp(op)
  const record = a as unknown as Record<string, unknown>
  if (op.path === '/authorizerResultTtlInSeconds') {
    const ttl = Number(op.value)
    if (op.value === undefined || op.value === '' || !Number.isFinite(ttl))
      throw badRequest(`Invalid authorizerResultTtlInSeconds: ${op.value ?? 'null'}`)
    a.authorizerResultTtlInSeconds = ttl
    return
  }
  if (!(STRING_PATHS as readonly string[]).includes(op.path)) throw invalidPatchPath(op, PATCH_PATHS)
  const key = op.path.slice(1)
  if (op.value === undefined || op.value === '') {
    if (key === 'name' || key === 'type') throw badRequest(`Authorizer ${key} must be non-empty`)
    delete record[key]
  } else record[key] = op.value
}

/** Methods that use an authorizer cannot lose it (wording Tollgate's; AWS's is not recorded). */
function checkUnused(doc: RestApiDocument, id: string): void {
  for (const resource of Object.values(doc.resources)) {
    for (const [httpMethod, method] of Object.entries(resource.resourceMethods ?? {})) {
      if (method.authorizerId !== id) continue
      const where = `${httpMethod} ${resourcePath(doc.resources, resource.id)}`
      throw conflict(`Cannot delete authorizer '${id}': it is used by method ${where}`)
    }
  }
}

const AUTHORIZER_PATH = '/restapis/{restapi_id}/authorizers/{authorizer_id}'

/** Authorizers of an API: CreateAuthorizer, GetAuthorizer(s), UpdateAuthorizer, DeleteAuthorizer. */
export const authorizerRoutes: Route[] = [
  {
    method: 'POST',
    path: '/restapis/{restapi_id}/authorizers',
    handler: async (req, { store, config }) => {
      const authorizer = readAuthorizer(req.body)
      checkAuthorizer(authorizer)
      await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '')
        doc.authorizers = { ...doc.authorizers, [authorizer.id]: authorizer }
        await saveApi(tx, doc)
      })
      return { status: 201, body: authorizer }
    },
  },
  {
    method: 'GET',
    path: '/restapis/{restapi_id}/authorizers',
    handler: async (req, { store, config }) => {
      const doc = await store.read((r) => loadApi(r, config, req.params['restapi_id'] ?? ''))
      return { status: 200, body: paginate(Object.values(doc.authorizers ?? {}), req.query) }
    },
  },
  {
    method: 'GET',
    path: AUTHORIZER_PATH,
    handler: async (req, { store, config }) => {
      const doc = await store.read((r) => loadApi(r, config, req.params['restapi_id'] ?? ''))
      const authorizer = findAuthorizer(doc, req.params['authorizer_id'] ?? '')
      if (!authorizer) throw authorizerNotFound()
      return { status: 200, body: authorizer }
    },
  },
  {
    method: 'PATCH',
    path: AUTHORIZER_PATH,
    handler: async (req, { store, config }) => {
      const operations = readPatchOperations(req.body, 'updateAuthorizerInput')
      const authorizer = await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '')
        const current = findAuthorizer(doc, req.params['authorizer_id'] ?? '')
        if (!current) throw authorizerNotFound()
        for (const op of operations) applyAuthorizerPatch(current, op)
        checkAuthorizer(current)
        await saveApi(tx, doc)
        return current
      })
      return { status: 200, body: authorizer }
    },
  },
  {
    method: 'DELETE',
    path: AUTHORIZER_PATH,
    handler: async (req, { store, config }) => {
      await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '')
        const id = req.params['authorizer_id'] ?? ''
        if (!findAuthorizer(doc, id)) throw authorizerNotFound()
        checkUnused(doc, id)
        delete doc.authorizers?.[id]
        await saveApi(tx, doc)
      })
      return { status: 202 }
    },
  },
]

/** The method ARN AWS puts in a test invoke's event (its console's "ESTestInvoke-stage"). */
const testMethodArn = (region: string, account: string, apiId: string): string =>
  `arn:aws:execute-api:${region}:${account}:${apiId}/ESTestInvoke-stage/GET/`

/**
 * TestInvokeAuthorizer (AWS API reference): calls a Lambda authorizer with the given headers,
 * query, stage variables and context, and reports `clientStatus` (200, 401 for "Unauthorized",
 * 500 for a broken authorizer), the principal, the policy (as text) and the function's log.
 * A user pool authorizer verifies the token of its identity source and reports its claims.
 */
export const testInvokeAuthorizerRoute: Route = {
  method: 'POST',
  path: AUTHORIZER_PATH,
  handler: async (req, { store, config, lambda }) => {
    const apiId = req.params['restapi_id'] ?? ''
    const doc = await store.read((r) => loadApi(r, config, apiId))
    const authorizer = findAuthorizer(doc, req.params['authorizer_id'] ?? '')
    if (!authorizer) throw authorizerNotFound()
    const headers = req.body.stringMap('headers') ?? {}
    if (authorizer.type === 'COGNITO_USER_POOLS') {
      // A user pool authorizer tests the token of its identity source header, as a method without scopes.
      const header =
        /^method\.request\.header\.(.+)$/.exec(authorizer.identitySource ?? '')?.[1] ?? 'Authorization'
      const token = Object.entries(headers).find(([k]) => k.toLowerCase() === header.toLowerCase())?.[1]
      const started = performance.now()
      const result = await verifyCognitoToken(
        token,
        authorizer.providerARNs ?? [],
        undefined,
        config.cognitoIssuerBase,
        config.cognitoClientIds,
      )
      const latency = Math.round(performance.now() - started)
      return {
        status: 200,
        body: result.ok
          ? { clientStatus: 200, latency, claims: result.claims }
          : { clientStatus: 401, latency, log: result.reason },
      }
    }
    const stageVariables = req.body.stringMap('stageVariables') ?? {}
    const [path = '/', query = ''] = (req.body.string('pathWithQueryString') ?? '/').split('?')
    const arn = testMethodArn(config.region, config.accountId, apiId)
    const headerName = /^method\.request\.header\.(.+)$/.exec(authorizer.identitySource ?? '')?.[1] ?? ''
    const token = Object.entries(headers).find(([k]) => k.toLowerCase() === headerName.toLowerCase())?.[1]
    const event: Record<string, unknown> =
      authorizer.type === 'TOKEN'
        ? { type: 'TOKEN', authorizationToken: token, methodArn: arn }
        : {
            type: 'REQUEST',
            methodArn: arn,
            resource: path,
            path,
            httpMethod: 'GET',
            headers,
            queryStringParameters: Object.fromEntries(new URLSearchParams(query)),
            pathParameters: {},
            stageVariables,
            requestContext: {
              apiId,
              stage: 'ESTestInvoke-stage',
              httpMethod: 'GET',
              path,
              resourcePath: path,
            },
          }
    const call = await callLambdaAuthorizer(
      (name, payload, qualifier) => lambda.invoke(name, payload, qualifier),
      functionFromUri(authorizer.authorizerUri, stageVariables),
      event,
    )
    const body: Record<string, unknown> = { latency: call.latencyMs, log: call.log }
    if (call.outcome === 'grant') {
      body['clientStatus'] = 200
      body['principalId'] = call.grant.principalId
      body['policy'] = JSON.stringify(call.grant.policyDocument)
    } else body['clientStatus'] = call.outcome === 'unauthorized' ? 401 : 500
    return { status: 200, body }
  },
}
