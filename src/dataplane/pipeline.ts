import type { InvocationContext, OutboundResponse } from './context.js'
import { GatewayError, internalError, serviceUnavailable } from './errors/gateway-error.js'
import { SharedStateUnavailable } from '../redis/unavailable.js'
import { renderGatewayError } from './errors/render.js'
import type { DataPlaneDeps, Stage } from './stage.js'
import { applyIntegrationResponse } from './stages/apply-integration-response.js'
import { buildIntegrationRequest } from './stages/build-integration-request.js'
import { invokeIntegration } from './stages/invoke-integration.js'
import { routeRequest } from './stages/route-request.js'
import { validateRequest } from './stages/validate-request.js'
import { checkApiKey } from './stages/check-api-key.js'
import { authorize } from './stages/authorize.js'
import { throttle } from './stages/throttle.js'
import { quota } from './stages/quota.js'
import { lookupCache } from './stages/lookup-cache.js'

/**
 * The request path in AWS's order (DESIGN.md, layer 3).
 */
export const REQUEST_STAGES: readonly Stage[] = [
  routeRequest, // resource + method + path params, or MISSING_AUTHENTICATION_TOKEN
  authorize, // IAM, Lambda or Cognito authorizer, resource policy, or UNAUTHORIZED / ACCESS_DENIED / AUTHORIZER_*
  checkApiKey, // x-api-key or the authorizer's usageIdentifierKey + usage plan, or INVALID_API_KEY
  throttle, // usage plan method -> usage plan -> stage method -> account, or THROTTLED
  quota, // the key's usage plan quotas, or QUOTA_EXCEEDED
  validateRequest, // request validator: required parameters, body model
  lookupCache, // the stage cache may answer for the integration
  buildIntegrationRequest, // parameter mappings + request templates + stage variables
  invokeIntegration, // MOCK | HTTP | HTTP_PROXY | AWS | AWS_PROXY: the terminal stage
]

/** Non-proxy integrations only: a proxy integration's answer is the response. */
export const RESPONSE_STAGES: readonly Stage[] = [applyIntegrationResponse]

/** The warning of an unauthorised `Cache-Control: max-age=0` (SUCCEED_WITH_RESPONSE_HEADER; wording unverified). */
const CACHE_CONTROL_IGNORED = '199 - "Cache-Control ignored: not authorized to invalidate the cache"'

/**
 * Runs a request through the stages. Every failure ends here once: a GatewayError is rendered
 * through the API's gateway responses; anything else is logged and answered as a 500.
 */
/**
 * What TestInvokeMethod runs (AWS docs "how-to-test-method"): the method as currently defined,
 * without authorizers, API keys, throttling or the cache.
 */
export const TEST_INVOKE_STAGES: readonly Stage[] = [
  routeRequest,
  validateRequest,
  buildIntegrationRequest,
  invokeIntegration,
]

export async function runPipeline(
  ctx: InvocationContext,
  deps: DataPlaneDeps,
  stages: readonly Stage[] = REQUEST_STAGES,
): Promise<OutboundResponse> {
  try {
    const trace = ctx.trace
    let outcome = 'continue'
    // Indexed loops: an iterator object per loop survived each await (~0.4 KB per request).
    for (let i = 0; i < stages.length; i++) {
      const stage = stages[i] as Stage
      const ran = trace ? trace.runStage(stage, ctx, deps) : stage.run(ctx, deps)
      // A stage with nothing to wait for answers at once: awaiting it would still cost a turn of
      // the microtask queue, nine per request (the stages return a promise only when they wait).
      outcome = typeof ran === 'string' ? ran : await ran
      if (outcome === 'respond') break
    }
    if (outcome === 'continue') {
      for (let i = 0; i < RESPONSE_STAGES.length; i++) {
        const stage = RESPONSE_STAGES[i] as Stage
        const ran = trace ? trace.runStage(stage, ctx, deps) : stage.run(ctx, deps)
        if (typeof ran !== 'string') await ran
      }
    }
    if (!ctx.response) throw new Error('pipeline ended without a response')
    if (ctx.cache?.warn) ctx.response.headers.push(['Warning', CACHE_CONTROL_IGNORED])
    return ctx.response
  } catch (thrown) {
    const error =
      thrown instanceof GatewayError
        ? thrown
        : thrown instanceof SharedStateUnavailable
          ? serviceUnavailable('shared_state.unavailable', thrown)
          : internalError('pipeline.unexpected', thrown)
    // An unreachable Redis is logged once by its connection, not on every refused request.
    const expected = thrown instanceof SharedStateUnavailable
    if (!expected && (!(thrown instanceof GatewayError) || error.type === 'DEFAULT_5XX')) {
      deps.log.error({ err: thrown, requestId: ctx.requestId }, 'request failed inside the gateway')
    } else {
      // The detail code says which check answered (docs/errors.md); the cause, why.
      deps.log.debug(
        { requestId: ctx.requestId, type: error.type, detail: error.detail, cause: error.cause },
        'gateway error',
      )
    }
    ctx.error = error
    ctx.response = renderGatewayError(error, ctx, deps)
    return ctx.response
  }
}
