import { INTEGRATIONS } from '../../integrations/registry.js'
import { required } from '../context.js'
import type { HeaderEntry } from '../request.js'
import type { Stage } from '../stage.js'

/** Backend headers API Gateway renames on proxy responses (AWS docs "set-up-http-proxy-integrations"). */
const REMAPPED = new Set(['connection', 'content-length', 'date', 'server'])
/** API Gateway does not cache responses over 1 MB (AWS docs "api-gateway-caching"). */
const MAX_CACHED_BYTES = 1024 * 1024
/** Framing headers the gateway sets itself. */
const DROPPED = new Set(['transfer-encoding', 'keep-alive'])

/**
 * Calls the integration. A proxy integration's answer is the response (headers remapped as AWS
 * does: `Server` arrives as `x-amzn-Remapped-Server`, ...); others go on to the integration
 * response stage.
 */
export const invokeIntegration: Stage = {
  name: 'invokeIntegration',
  async run(ctx, deps) {
    const integration = required(ctx.match?.method.methodIntegration, 'match.method.methodIntegration')
    const cache = ctx.cache
    let response
    if (cache?.hit) response = required(ctx.endpointResponse, 'endpointResponse')
    else {
      const request = required(ctx.integrationRequest, 'integrationRequest')
      const started = performance.now()
      response = await INTEGRATIONS[integration.type].invoke(request, ctx, deps)
      ctx.integrationLatencyMs = performance.now() - started
      ctx.endpointResponse = response
      // Every endpoint response is kept, whatever its status (AWS documents no exception); not one over 1 MB.
      if (cache && response.body.length <= MAX_CACHED_BYTES) {
        await deps.cache.set(
          cache.stage,
          cache.key,
          {
            status: response.status,
            headers: response.headers,
            body: response.body,
            ...(response.selector !== undefined ? { selector: response.selector } : {}),
          },
          cache.ttlMs,
          cache.budgetBytes,
        )
      }
    }
    if (integration.type !== 'HTTP_PROXY' && integration.type !== 'AWS_PROXY') return 'continue'
    const headers: HeaderEntry[] = []
    for (const [name, value] of response.headers) {
      const lower = name.toLowerCase()
      if (DROPPED.has(lower)) continue
      headers.push(REMAPPED.has(lower) ? [`x-amzn-Remapped-${name}`, value] : [name, value])
    }
    ctx.response = { status: response.status, headers, body: response.body }
    return 'respond'
  },
}
