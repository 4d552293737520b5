import { errors as undiciErrors, request } from 'undici'
import type { HeaderEntry } from '../dataplane/request.js'
import {
  apiConfigurationError,
  integrationTimeout,
  type GatewayError,
} from '../dataplane/errors/gateway-error.js'
import type { Integration } from './integration.js'

/** AWS's integration timeout when `timeoutInMillis` is unset (AWS docs "limits"). */
const DEFAULT_TIMEOUT_MS = 29_000

/**
 * HTTP and HTTP_PROXY: one request to the backend over the process-wide keep-alive pool. The
 * whole exchange must finish within the integration's timeoutInMillis, else 504 "Endpoint
 * request timed out" (AWS Knowledge Center "api-gateway-504-errors").
 */
export const httpIntegration: Integration = {
  async invoke(req, ctx, deps) {
    const timeout = ctx.match?.method.methodIntegration?.timeoutInMillis ?? DEFAULT_TIMEOUT_MS
    const signal = AbortSignal.timeout(timeout)
    let url: URL
    try {
      url = new URL(req.url)
    } catch (error) {
      throw apiConfigurationError('http.invalid_uri', error)
    }
    try {
      const response = await request(url, {
        method: req.method as 'GET',
        headers: req.headers.flatMap(([name, value]) => [name, value]),
        body: req.body.length > 0 || !['GET', 'HEAD'].includes(req.method) ? req.body : null,
        dispatcher: deps.httpDispatcher,
        signal,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      })
      const body = Buffer.from(await response.body.arrayBuffer())
      return { status: response.statusCode, headers: responseHeaders(response.headers), body }
    } catch (error) {
      throw translateHttpError(error, signal)
    }
  },
}

function responseHeaders(headers: Record<string, string | string[] | undefined>): HeaderEntry[] {
  const out: HeaderEntry[] = []
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    for (const v of Array.isArray(value) ? value : [value]) out.push([name, v])
  }
  return out
}

/** The one place that turns a client failure into the gateway error AWS answers with. */
function translateHttpError(error: unknown, signal: AbortSignal): GatewayError {
  if (
    signal.aborted ||
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError
  ) {
    return integrationTimeout('http.timeout', error)
  }
  // Refused, reset or unresolvable backends: AWS logs "Execution failed due to configuration
  // error" and answers 500 Internal server error (AWS-BEHAVIOR §3.1).
  return apiConfigurationError('http.connection_failed', error)
}
