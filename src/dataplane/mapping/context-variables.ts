import type { AuthorizerOutcome, InvocationContext } from '../context.js'
import { headerValue } from '../request.js'

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** `dd/MMM/yyyy:HH:mm:ss +0000`, the CLF form of $context.requestTime (recorded proxy event). */
export function clfTime(epochMs: number): string {
  // Requests of one second share the text: formatting a Date cost ~2% of a MOCK request.
  const second = Math.floor(epochMs / 1000)
  if (second === lastSecond) return lastText
  const d = new Date(epochMs)
  const pad = (n: number): string => String(n).padStart(2, '0')
  lastText = `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()] ?? ''}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
  lastSecond = second
  return lastText
}
let lastSecond = Number.NaN
let lastText = ''

/** The account id the gateway reports (configured; AWS's is the API owner's). */
export interface ContextSettings {
  accountId: string
}

/**
 * `$context` as a nested object, for parameter mappings (`context.requestId`), templates and logs.
 * Fields and values follow the AWS reference "api-gateway-mapping-template-reference"
 * ($context variables) and the recorded Lambda proxy event's requestContext.
 */
export function contextVariables(ctx: InvocationContext, settings: ContextSettings): Record<string, unknown> {
  const { request, target } = ctx
  // A custom domain is the domain name; else the Host as received.
  const host = request.domainName ?? request.host
  const match = ctx.match
  const vars: Record<string, unknown> = {
    accountId: settings.accountId,
    apiId: target.apiId,
    deploymentId: target.deployment.id,
    domainName: host,
    domainPrefix: prefixOf(host),
    extendedRequestId: ctx.extendedRequestId,
    httpMethod: request.method,
    identity: {
      accessKey: ctx.caller?.accessKey ?? null,
      accountId: ctx.caller?.accountId ?? null,
      apiKey: ctx.keyGrant?.key.value ?? null,
      apiKeyId: ctx.keyGrant?.key.id ?? null,
      caller: ctx.caller?.principalId ?? null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      sourceIp: request.sourceIp,
      user: ctx.caller?.principalId ?? null,
      userAgent: headerValue(request.headers, 'user-agent') ?? null,
      userArn: ctx.caller?.userArn ?? null,
      ...(request.vpce ? { vpceId: request.vpce.id, vpcId: request.vpce.vpcId ?? null } : {}),
      ...(request.clientCert ? { clientCert: request.clientCert } : {}),
    },
    isCanaryRequest: target.isCanaryRequest,
    path: request.stagePath,
    protocol: request.protocol,
    requestId: ctx.requestId,
    requestTime: clfTime(ctx.requestTimeEpoch),
    requestTimeEpoch: ctx.requestTimeEpoch,
    resourceId: match?.resource.id ?? null,
    resourcePath: match?.resource.path ?? null,
    stage: target.stageName,
  }
  if (match?.method.operationName) vars['operationName'] = match.method.operationName
  if (ctx.authorizer) vars['authorizer'] = authorizerVariables(ctx.authorizer)
  if (ctx.error) {
    vars['error'] = {
      message: ctx.error.message,
      messageString: JSON.stringify(ctx.error.message),
      responseType: ctx.error.type,
      validationErrorString: ctx.error.validationErrorString ?? null,
    }
  }
  return vars
}

/**
 * `$context.authorizer`: a Lambda authorizer's `principalId` and context keys (AWS docs
 * "api-gateway-mapping-template-reference": `$context.authorizer.principalId`,
 * `$context.authorizer.<key>`), or a user pool's `claims`.
 */
export function authorizerVariables(outcome: AuthorizerOutcome): Record<string, unknown> {
  return {
    ...outcome.context,
    ...(outcome.principalId !== undefined ? { principalId: outcome.principalId } : {}),
    ...(outcome.claims ? { claims: { ...outcome.claims } } : {}),
  }
}

/** The first label of a host name (`$context.domainPrefix`). */
function prefixOf(host: string): string {
  const dot = host.indexOf('.')
  return dot === -1 ? host : host.slice(0, dot)
}

/** Looks up a dotted path (`identity.sourceIp`, or its parts) in the $context object. */
export function lookupContext(vars: Record<string, unknown>, path: string | readonly string[]): unknown {
  let current: unknown = vars
  for (const part of typeof path === 'string' ? path.split('.') : path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, part)) return undefined
    current = (current as Record<string, unknown>)[part]
  }
  return current
}

/** A $context value as text: scalars as written, objects as JSON, null and absent as undefined. */
export function contextValueText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}
