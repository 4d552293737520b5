import type { Authorizer } from '../model/index.js'

/** What a Lambda authorizer answered, once checked (AWS docs "api-gateway-lambda-authorizer-output"). */
export interface AuthorizerGrant {
  principalId: string
  /** The IAM policy document, as returned (evaluated per request against the method ARN). */
  policyDocument: unknown
  /** Only string, number and boolean values, as AWS allows. */
  context: Record<string, string | number | boolean>
  usageIdentifierKey?: string
}

/** The authorizer's output is not what API Gateway accepts: AWS answers 500 AuthorizerConfigurationException. */
export class MalformedAuthorizerOutput extends Error {}

/**
 * Checks a Lambda authorizer's output: an object with a `principalId` (a string; AWS also takes a
 * number and prints it), a `policyDocument` with statements, an optional flat `context` whose
 * values are strings, numbers or booleans (a nested object or array makes AWS answer 500), and an
 * optional `usageIdentifierKey`.
 */
export function parseAuthorizerOutput(payload: string): AuthorizerGrant {
  let output: unknown
  try {
    output = JSON.parse(payload)
  } catch {
    throw new MalformedAuthorizerOutput('the authorizer did not return JSON')
  }
  if (output === null || typeof output !== 'object' || Array.isArray(output))
    throw new MalformedAuthorizerOutput('the authorizer output is not an object')
  const record = output as Record<string, unknown>
  const principal = record['principalId']
  if (typeof principal !== 'string' && typeof principal !== 'number')
    throw new MalformedAuthorizerOutput('principalId is missing')
  const policy = record['policyDocument']
  if (policy === null || typeof policy !== 'object' || Array.isArray(policy))
    throw new MalformedAuthorizerOutput('policyDocument is missing')
  const context: Record<string, string | number | boolean> = {}
  const rawContext = record['context']
  if (rawContext !== undefined && rawContext !== null) {
    if (typeof rawContext !== 'object' || Array.isArray(rawContext))
      throw new MalformedAuthorizerOutput('context is not an object')
    for (const [key, value] of Object.entries(rawContext)) {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
        throw new MalformedAuthorizerOutput(`context.${key} is not a string, number or boolean`)
      context[key] = value
    }
  }
  const usage = record['usageIdentifierKey']
  return {
    principalId: String(principal),
    policyDocument: policy,
    context,
    ...(typeof usage === 'string' ? { usageIdentifierKey: usage } : {}),
  }
}

/** The result TTL: AWS's default of 300 s when the authorizer does not set one. */
export const resultTtlSeconds = (authorizer: Authorizer): number =>
  authorizer.authorizerResultTtlInSeconds ?? 300

/** The identity sources of an authorizer, split (`method.request.header.Auth, stageVariables.x`). */
export const identitySources = (authorizer: Authorizer): string[] =>
  (authorizer.identitySource ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)

/** How a Lambda authorizer call ended. */
export type AuthorizerCall =
  | { outcome: 'grant'; grant: AuthorizerGrant; latencyMs: number; log: string }
  /** The function answered "Unauthorized" (thrown, or via the callback): AWS's 401. */
  | { outcome: 'unauthorized'; latencyMs: number; log: string }
  /** Anything else: AWS's 500 AuthorizerConfigurationException. */
  | { outcome: 'broken'; reason: string; cause?: unknown; latencyMs: number; log: string }

/** The invoke the call needs (the built-in Lambda service's). */
export type InvokeFunction = (
  name: string,
  payload: Buffer,
  qualifier?: string,
) => Promise<{ payload: Buffer; functionError?: string; log: string }>

/** How long API Gateway waits for an authorizer function (its integration limit). */
export const AUTHORIZER_TIMEOUT_MS = 29_000

/**
 * Calls a Lambda authorizer with an event and reads its answer; never throws for what the
 * function did (the data plane and TestInvokeAuthorizer word the outcome each their own way).
 */
export async function callLambdaAuthorizer(
  invoke: InvokeFunction,
  target: { name: string; qualifier?: string } | undefined,
  event: Record<string, unknown>,
  timeoutMs = AUTHORIZER_TIMEOUT_MS,
): Promise<AuthorizerCall> {
  const started = performance.now()
  const latency = (): number => Math.round(performance.now() - started)
  if (!target) return { outcome: 'broken', reason: 'invalid_uri', latencyMs: 0, log: '' }
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs)
  })
  try {
    const result = await Promise.race([
      invoke(target.name, Buffer.from(JSON.stringify(event)), target.qualifier),
      timedOut,
    ])
    if (result === 'timeout') return { outcome: 'broken', reason: 'timeout', latencyMs: latency(), log: '' }
    const payload = result.payload.toString('utf8')
    if (result.functionError) {
      // `throw new Error('Unauthorized')` / `callback('Unauthorized')` is the documented way to answer 401.
      let message: unknown
      try {
        message = (JSON.parse(payload) as { errorMessage?: unknown }).errorMessage
      } catch {
        message = undefined
      }
      if (message === 'Unauthorized')
        return { outcome: 'unauthorized', latencyMs: latency(), log: result.log }
      return {
        outcome: 'broken',
        reason: 'function_error',
        cause: payload,
        latencyMs: latency(),
        log: result.log,
      }
    }
    try {
      return {
        outcome: 'grant',
        grant: parseAuthorizerOutput(payload),
        latencyMs: latency(),
        log: result.log,
      }
    } catch (error) {
      return {
        outcome: 'broken',
        reason: 'malformed_output',
        cause: error,
        latencyMs: latency(),
        log: result.log,
      }
    }
  } catch (error) {
    // A missing function or a refused invoke.
    return { outcome: 'broken', reason: 'invoke_failed', cause: error, latencyMs: latency(), log: '' }
  } finally {
    clearTimeout(timer)
  }
}
