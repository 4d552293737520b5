import type { InvocationContext, OutboundResponse } from './context.js'
import { GatewayError, internalError } from './errors/gateway-error.js'
import { renderGatewayError } from './errors/render.js'
import type { DataPlaneDeps, Stage } from './stage.js'
import { applyIntegrationResponse } from './stages/apply-integration-response.js'
import { buildIntegrationRequest } from './stages/build-integration-request.js'
import { invokeIntegration } from './stages/invoke-integration.js'
import { routeRequest } from './stages/route-request.js'
import { validateRequest } from './stages/validate-request.js'
import { checkApiKey } from './stages/check-api-key.js'

/**
 * The request path in AWS's order (DESIGN.md, layer 3). Slots still empty, filled by later work:
 * authorize (IAM / Lambda / Cognito) before checkApiKey, throttle after it, lookupCache.
 */
export const REQUEST_STAGES: readonly Stage[] = [
  routeRequest, // resource + method + path params, or MISSING_AUTHENTICATION_TOKEN
  checkApiKey, // x-api-key + usage plan, or INVALID_API_KEY
  validateRequest, // request validator: required parameters, body model
  buildIntegrationRequest, // parameter mappings + request templates + stage variables
  invokeIntegration, // MOCK | HTTP | HTTP_PROXY | AWS | AWS_PROXY: the terminal stage
]

/** Non-proxy integrations only: a proxy integration's answer is the response. */
export const RESPONSE_STAGES: readonly Stage[] = [applyIntegrationResponse]

/**
 * Runs a request through the stages. Every failure ends here once: a GatewayError is rendered
 * through the API's gateway responses; anything else is logged and answered as a 500.
 */
export async function runPipeline(ctx: InvocationContext, deps: DataPlaneDeps): Promise<OutboundResponse> {
  try {
    let outcome = 'continue'
    for (const stage of REQUEST_STAGES) {
      outcome = await stage.run(ctx, deps)
      if (outcome === 'respond') break
    }
    if (outcome === 'continue') {
      for (const stage of RESPONSE_STAGES) await stage.run(ctx, deps)
    }
    if (!ctx.response) throw new Error('pipeline ended without a response')
    return ctx.response
  } catch (thrown) {
    const error = thrown instanceof GatewayError ? thrown : internalError('pipeline.unexpected', thrown)
    if (!(thrown instanceof GatewayError) || error.type === 'DEFAULT_5XX') {
      deps.log.error({ err: thrown, requestId: ctx.requestId }, 'request failed inside the gateway')
    }
    ctx.error = error
    ctx.response = renderGatewayError(error, ctx, deps)
    return ctx.response
  }
}
