import type { Authorizer } from '../../model/index.js'
import { ownValue } from '../../model/own-keys.js'
import {
  callLambdaAuthorizer,
  identitySources,
  resultTtlSeconds,
  type AuthorizerGrant,
} from '../../auth/lambda-authorizer.js'
import {
  evaluatePolicy,
  methodArn,
  parsePolicy,
  PolicyError,
  type Policy,
  type PolicyDecision,
  type RequestFacts,
} from '../../auth/policy/evaluate.js'
import { verifyCognitoToken } from '../../auth/cognito/verify.js'
import { verifySigV4 } from '../../auth/sigv4/verify.js'
import { functionFromUri } from '../../integrations/lambda/function-uri.js'
import { invokeForRequest } from '../../integrations/lambda/invoke.js'
import { buildProxyEvent } from '../../integrations/lambda/proxy-event.js'
import { required, type InvocationContext } from '../context.js'
import { apiConfigurationError, GatewayError } from '../errors/gateway-error.js'
import { contextVariables, lookupContext } from '../mapping/context-variables.js'
import { headerValue, headerValues } from '../request.js'
import type { DataPlaneDeps, Stage, StageOutcome } from '../stage.js'
import { deployedRegExp } from '../deployed-regexp.js'

/** AWS's authorizer answers (AWS-BEHAVIOR §3.1; AWS docs "api-gateway-lambda-authorizer-output"). */
const unauthorized = (detail: `authorizer.${string}`): GatewayError =>
  new GatewayError('UNAUTHORIZED', detail, 'Unauthorized')
/** AWS sends `{"message": null}` for a broken authorizer. */
const configurationError = (detail: `authorizer.${string}`, cause?: unknown): GatewayError =>
  new GatewayError('AUTHORIZER_CONFIGURATION_ERROR', detail, 'null', {
    cause,
    builtinBody: '{"message":null}',
  })
/** A denied method ARN: AWS words it with a capital `Message` (captured production response). */
const accessDenied = (detail: `authorizer.${string}`, explicit: boolean): GatewayError =>
  new GatewayError(
    'ACCESS_DENIED',
    detail,
    explicit
      ? 'User is not authorized to access this resource with an explicit deny'
      : 'User is not authorized to access this resource',
    { builtinBody: '{"Message":$context.error.messageString}' },
  )

/** One identity source's value, or undefined when the request lacks it. */
function sourceValue(ctx: InvocationContext, deps: DataPlaneDeps, source: string): string | undefined {
  const dot = source.indexOf('.')
  const scope = source.slice(0, dot)
  const rest = source.slice(dot + 1)
  if (scope === 'stageVariables') return ownValue(ctx.target.stageVariables, rest) || undefined
  if (scope === 'context') {
    const value = lookupContext(contextVariables(ctx, deps), rest)
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      ? String(value) || undefined
      : undefined
  }
  // method.request.{header|querystring|multivalueheader|multivaluequerystring}.{name}
  const [, kind = '', ...nameParts] = rest.split('.')
  const name = nameParts.join('.')
  const headers = ctx.request.headers
  switch (kind) {
    case 'header':
      return headerValue(headers, name) || undefined
    case 'multivalueheader':
      return headerValues(headers, name).join(',') || undefined
    case 'querystring':
      return ctx.request.query.get(name)?.at(-1) || undefined
    case 'multivaluequerystring':
      return ctx.request.query.get(name)?.join(',') || undefined
    default:
      return undefined
  }
}

/**
 * The event a Lambda authorizer receives (AWS docs "api-gateway-lambda-authorizer-input"): TOKEN
 * gets the token and the method ARN; REQUEST gets the request as a proxy event has it, without
 * the body.
 */
function authorizerEvent(
  ctx: InvocationContext,
  deps: DataPlaneDeps,
  authorizer: Authorizer,
  arn: string,
  token: string | undefined,
): Record<string, unknown> {
  if (authorizer.type === 'TOKEN') return { type: 'TOKEN', authorizationToken: token, methodArn: arn }
  // The proxy event without its body, after type and methodArn; copied key by key (a rest and a
  // spread into a literal are V8's slow path, see withLog).
  const event: Record<string, unknown> = { type: 'REQUEST', methodArn: arn }
  const request = buildProxyEvent(ctx, deps)
  for (const key in request) if (key !== 'body' && key !== 'isBase64Encoded') event[key] = request[key]
  return event
}

async function callAuthorizer(
  ctx: InvocationContext,
  deps: DataPlaneDeps,
  authorizer: Authorizer,
  event: Record<string, unknown>,
): Promise<{ grant: AuthorizerGrant; latencyMs: number }> {
  const call = await callLambdaAuthorizer(
    (name, payload, qualifier) => invokeForRequest(ctx, deps, name, payload, qualifier),
    functionFromUri(authorizer.authorizerUri, ctx.target.stageVariables),
    event,
  )
  if (call.outcome === 'unauthorized') throw unauthorized('authorizer.unauthorized')
  if (call.outcome === 'broken') throw configurationError(`authorizer.${call.reason}`, call.cause)
  return call
}

/**
 * A Lambda authorizer (TOKEN or REQUEST), with AWS's outcomes: a TOKEN authorizer's missing token
 * or failed validation expression is 401 without calling the function; a REQUEST authorizer's
 * missing identity source is 401 only when caching is on (with caching off the function is
 * called); "Unauthorized" from the function is 401; a policy that does not allow the method ARN
 * is 403; a failing, slow or malformed authorizer is 500. Results are cached per identity values
 * for the TTL, and the cached policy is evaluated against each request's method ARN, as on AWS.
 */
async function lambdaAuthorize(
  ctx: InvocationContext,
  deps: DataPlaneDeps,
  authorizer: Authorizer,
  arn: string,
): Promise<void> {
  const ttl = resultTtlSeconds(authorizer)
  const values = identitySources(authorizer).map((source) => sourceValue(ctx, deps, source))
  const missing = values.some((v) => v === undefined)
  let token: string | undefined
  if (authorizer.type === 'TOKEN') {
    token = values[0]
    if (token === undefined) throw unauthorized('authorizer.missing_token')
    const expression = authorizer.identityValidationExpression
    // An expression that does not compile throws as it always did (`new RegExp` again): the
    // management API refuses one, so only an import could bring it.
    if (expression && !(deployedRegExp(expression) ?? new RegExp(expression)).test(token))
      throw unauthorized('authorizer.token_validation')
  } else if (missing && ttl > 0) {
    throw unauthorized('authorizer.missing_identity')
  }
  // JSON, not values joined by a separator: a query string can carry any separator (%00 is NUL),
  // and ("a\0b", "c") must not find the result cached for ("a", "b\0c").
  const cacheKey = JSON.stringify([ctx.target.deployment.id, authorizer.id, values])
  let grant = ttl > 0 ? await deps.authorizerCache.get(cacheKey) : undefined
  let integrationLatency = 0
  if (!grant) {
    const call = await callAuthorizer(
      ctx,
      deps,
      authorizer,
      authorizerEvent(ctx, deps, authorizer, arn, token),
    )
    grant = call.grant
    integrationLatency = call.latencyMs
    if (ttl > 0) await deps.authorizerCache.set(cacheKey, grant, ttl * 1000)
  }
  let decision
  let canInvalidateCache = false
  try {
    const policy = parsePolicy(grant.policyDocument)
    decision = decide(policy, { action: 'execute-api:Invoke', resource: arn, conditionKeys: {} })
    // `Cache-Control: max-age=0` needs execute-api:InvalidateCache (AWS docs "api-gateway-caching").
    canInvalidateCache =
      evaluatePolicy(policy, { action: 'execute-api:InvalidateCache', resource: arn, conditionKeys: {} }) ===
      'ALLOW'
  } catch (error) {
    if (error instanceof PolicyError) throw configurationError('authorizer.malformed_policy', error)
    throw error
  }
  if (decision === 'DENY') throw accessDenied('authorizer.explicit_deny', true)
  if (decision !== 'ALLOW') throw accessDenied('authorizer.not_allowed', false)
  ctx.authorizer = {
    principalId: grant.principalId,
    context: grant.context,
    ...(grant.usageIdentifierKey !== undefined ? { usageIdentifierKey: grant.usageIdentifierKey } : {}),
    integrationLatency,
    canInvalidateCache,
  }
}

/**
 * A COGNITO_USER_POOLS authorizer: the token from the identity source (default `Authorization`)
 * verified against the authorizer's user pools; any failure is 401 Unauthorized, as on AWS. The
 * token's claims reach `$context.authorizer.claims` and the proxy event.
 */
async function cognitoAuthorize(
  ctx: InvocationContext,
  deps: DataPlaneDeps,
  authorizer: Authorizer,
): Promise<void> {
  const [source = 'method.request.header.Authorization'] = identitySources(authorizer)
  const token = sourceValue(ctx, deps, source)
  const scopes = required(ctx.match, 'match').method.authorizationScopes
  const result = await verifyCognitoToken(
    token,
    authorizer.providerARNs ?? [],
    scopes,
    deps.cognitoIssuerBase,
    deps.cognitoClientIds,
  )
  if (!result.ok)
    throw new GatewayError('UNAUTHORIZED', 'authorizer.cognito_refused', 'Unauthorized', {
      cause: result.reason,
    })
  ctx.authorizer = { context: {}, claims: result.claims, integrationLatency: 0 }
}

/**
 * AWS_IAM: the request's SigV4 signature checked against the configured access keys (header or
 * presigned form, 5-minute skew), answered as API Gateway answers: a missing signature 403
 * "Missing Authentication Token", an incomplete one IncompleteSignatureException, an unknown key
 * UnrecognizedClientException, a mismatch or stale date InvalidSignatureException.
 */
function iamAuthenticate(
  ctx: InvocationContext,
  deps: DataPlaneDeps,
): NonNullable<InvocationContext['caller']> {
  const headers: Record<string, string> = {}
  for (const [name, value] of ctx.request.headers) {
    const key = name.toLowerCase()
    headers[key] = key in headers ? `${headers[key] ?? ''},${value}` : value
  }
  const result = verifySigV4(
    {
      method: ctx.request.method,
      path: ctx.request.rawPath,
      query: ctx.request.rawQuery,
      headers,
      body: ctx.request.body,
    },
    (id) => deps.credentials.lookup(id),
    { now: Date.now(), service: 'execute-api', region: deps.region },
  )
  if (!result.ok) {
    switch (result.reason) {
      case 'missing':
        throw new GatewayError('MISSING_AUTHENTICATION_TOKEN', 'iam.missing_signature', result.message)
      case 'incomplete':
        throw new GatewayError('INVALID_SIGNATURE', 'iam.incomplete_signature', result.message, {
          errorType: 'IncompleteSignatureException',
        })
      case 'unknown_key':
        throw new GatewayError('INVALID_SIGNATURE', 'iam.unknown_key', result.message, {
          errorType: 'UnrecognizedClientException',
        })
      default:
        throw new GatewayError('INVALID_SIGNATURE', `iam.${result.reason}`, result.message)
    }
  }
  const userArn = result.credential.userArn ?? `arn:aws:iam::${deps.accountId}:root`
  const caller = {
    accessKey: result.credential.accessKeyId,
    userArn,
    accountId: userArn.split(':')[4] ?? deps.accountId,
    principalId: result.credential.accessKeyId,
  }
  ctx.caller = caller
  return caller
}

/**
 * A policy's decision for a method ARN whose path may hold an encoded slash. Routing keeps `%2F`
 * inside its segment, but a backend behind a `{proxy+}` may decode it: `/admin%2Fx` must not slip
 * past a Deny on `/admin/*`. So a Deny that matches the ARN with `%2F` read as `/` also denies
 * (on AWS the two are one path: a REST path parameter cannot carry an encoded slash at all,
 * classmethod, "Amazon API Gateway REST API のパスパラメーターでスラッシュを含む値を指定できるか
 * 試してみた(できなかった)", 2023).
 */
function decide(
  policy: Policy,
  facts: RequestFacts,
  options: { requirePrincipal?: boolean } = {},
): PolicyDecision {
  const decision = evaluatePolicy(policy, facts, options)
  if (decision === 'DENY' || !facts.resource.includes('%2F')) return decision
  const decoded = evaluatePolicy(
    policy,
    { ...facts, resource: facts.resource.replaceAll('%2F', '/') },
    options,
  )
  return decoded === 'DENY' ? 'DENY' : decision
}

/** Resource policies parsed once per deployment (the policy serves from the deployed snapshot). */
const resourcePolicies = new WeakMap<object, Policy | PolicyError>()

function resourcePolicyOf(ctx: InvocationContext, deps: DataPlaneDeps): Policy | undefined {
  const deployment = ctx.target.deployment
  const text = deployment.api.policy
  if (!text) return undefined
  let policy = resourcePolicies.get(deployment)
  if (!policy) {
    try {
      // `execute-api:/stage/METHOD/path` is AWS's shorthand for this API's ARNs (AWS docs
      // "apigateway-resource-policies-examples").
      const arnPrefix = `"arn:aws:execute-api:${deps.region}:${deps.accountId}:${ctx.target.apiId}/`
      policy = parsePolicy(text.replaceAll('"execute-api:/', arnPrefix))
    } catch (error) {
      policy = error instanceof PolicyError ? error : new PolicyError(String(error))
    }
    resourcePolicies.set(deployment, policy)
  }
  if (policy instanceof PolicyError) throw apiConfigurationError('resource_policy.malformed', policy)
  return policy
}

/**
 * AWS docs "limits" (REST API important notes): with authorization on a method, its ARN
 * (`arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`) is at most 1600
 * bytes; a path parameter value that makes it longer gets "414 Request URI too long". The note
 * adds that this limits the URI whenever a resource policy is used (every private API has one).
 */
const MAX_METHOD_ARN_BYTES = 1_600
/** AWS documents the status, not the body: it is ours, as for a URL past the URL quota. Customisable through DEFAULT_4XX. */
const methodArnTooLong = (): GatewayError =>
  new GatewayError('DEFAULT_4XX', 'authorize.method_arn_too_long', 'Request-URI Too Long', { status: 414 })

/**
 * AWS's refusal by a resource policy, account id masked as AWS prints it (AWS Knowledge Center
 * "api-gateway-resource-policy-access-denied": `User: anonymous is not authorized to perform:
 * execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********1234:...`).
 */
function resourcePolicyDenied(arn: string, caller: string | undefined, explicit: boolean): GatewayError {
  const masked = arn.replace(/:(\d{8})(\d{4}):/, ':********$2:')
  const message = `User: ${caller ?? 'anonymous'} is not authorized to perform: execute-api:Invoke on resource: ${masked}${explicit ? ' with an explicit deny' : ''}`
  return new GatewayError(
    'ACCESS_DENIED',
    explicit ? 'resource_policy.explicit_deny' : 'resource_policy.not_allowed',
    message,
    { builtinBody: '{"Message":$context.error.messageString}' },
  )
}

/**
 * The method's authorization (AWS docs "apigateway-control-access-to-api") combined with the
 * API's resource policy as AWS's "Policy evaluation outcome tables" prescribe
 * ("apigateway-authorization-flow"): an explicit Deny in the resource policy refuses before any
 * authorizer runs; without an authorizer the resource policy must allow; with a Lambda authorizer
 * the authorizer's Allow suffices when the resource policy neither allows nor denies.
 */
export const authorize: Stage = {
  name: 'authorize',
  run(ctx, deps) {
    // No authorization and no resource policy: nothing to decide, and no method ARN to build.
    const { method } = required(ctx.match, 'match')
    return method.authorizationType === 'NONE' && !ctx.target.deployment.api.policy
      ? 'continue'
      : authorizeRequest(ctx, deps)
  },
}

async function authorizeRequest(ctx: InvocationContext, deps: DataPlaneDeps): Promise<StageOutcome> {
  const { method, canonicalPath } = required(ctx.match, 'match')
  // The canonical path, the one routing matched: `/%61dmin` or `/admin/` is `admin` here too.
  const arn = methodArn(
    deps.region,
    deps.accountId,
    ctx.target.apiId,
    ctx.target.stageName,
    ctx.request.method,
    canonicalPath,
  )
  const resourcePolicy = resourcePolicyOf(ctx, deps)
  if (
    (method.authorizationType !== 'NONE' || resourcePolicy) &&
    Buffer.byteLength(arn) > MAX_METHOD_ARN_BYTES
  )
    throw methodArnTooLong()
  const caller = method.authorizationType === 'AWS_IAM' ? iamAuthenticate(ctx, deps) : undefined
  const resourceDecision = resourcePolicy
    ? decide(
        resourcePolicy,
        {
          action: 'execute-api:Invoke',
          resource: arn,
          ...(caller ? { principalArn: caller.userArn } : {}),
          conditionKeys: {
            'aws:SourceIp': ctx.request.sourceIp,
            'aws:SourceVpce': ctx.request.vpce?.id,
            'aws:SourceVpc': ctx.request.vpce?.vpcId,
            'aws:PrincipalArn': caller?.userArn,
            'aws:username': caller?.userArn.split('/').at(-1),
          },
        },
        { requirePrincipal: true },
      )
    : undefined
  if (resourceDecision === 'DENY') throw resourcePolicyDenied(arn, caller?.userArn, true)
  if (method.authorizationType === 'CUSTOM' || method.authorizationType === 'COGNITO_USER_POOLS') {
    const authorizer = ctx.target.deployment.snapshot.authorizers?.[method.authorizerId ?? '']
    if (!authorizer) throw configurationError('authorizer.not_found')
    if (authorizer.type === 'COGNITO_USER_POOLS') await cognitoAuthorize(ctx, deps, authorizer)
    else await lambdaAuthorize(ctx, deps, authorizer, arn)
  } else if (resourceDecision === 'IMPLICIT_DENY') {
    // Table B: a caller of the API's own account is allowed by its IAM permissions; another
    // account's caller needs the resource policy's Allow, as does a caller without IAM auth.
    if (!caller || caller.accountId !== deps.accountId)
      throw resourcePolicyDenied(arn, caller?.userArn, false)
  }
  return 'continue'
}
