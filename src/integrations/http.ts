import type { Dispatcher } from 'undici'
import { BoundedBody, EMPTY_BODY, MAX_PAYLOAD_BYTES, type HeaderEntry } from '../dataplane/request.js'
import type { EndpointResponse } from '../dataplane/context.js'
import { apiConfigurationError, GatewayError, integrationTimeout } from '../dataplane/errors/gateway-error.js'
import type { Integration } from './integration.js'
import { substituteStageVariables } from '../dataplane/mapping/parameters.js'
import { loadedUndici, undici } from './backend-tls.js'
import { BoundedCache } from '../model/bounded-cache.js'

/** AWS's integration timeout when `timeoutInMillis` is unset (AWS docs "limits"). */
export const DEFAULT_TIMEOUT_MS = 29_000

/**
 * HTTP and HTTP_PROXY: one request to the backend over the process-wide keep-alive pool. The
 * whole exchange must finish within the integration's timeoutInMillis, else 504 "Endpoint
 * request timed out" (AWS Knowledge Center "api-gateway-504-errors").
 */
export const httpIntegration: Integration = {
  async invoke(req, ctx, deps) {
    const timeout = ctx.match?.method.methodIntegration?.timeoutInMillis ?? DEFAULT_TIMEOUT_MS
    let target: RequestTarget
    try {
      target = requestTarget(req.url)
    } catch (error) {
      throw apiConfigurationError('http.invalid_uri', error)
    }
    const integration = ctx.match?.method.methodIntegration
    let headers = req.headers
    if (integration?.connectionType === 'VPC_LINK') {
      // Through a VPC link: a healthy backend of the link, the URI's host kept as the Host header.
      const linkId = substituteStageVariables(integration.connectionId ?? '', ctx.target.stageVariables)
      const backend = await deps.vpcLinks.pick(linkId)
      if (!backend) throw apiConfigurationError('vpc_link.no_healthy_target')
      const url = new URL(req.url)
      headers = [...headers.filter(([name]) => name.toLowerCase() !== 'host'), ['Host', url.host]]
      target = { origin: `${url.protocol}//${backend}`, path: target.path }
    }
    const chosen = deps.backendTls.dispatcher(
      ctx.target.active.stage.clientCertificateId,
      integration?.tlsConfig?.insecureSkipVerification === true,
    )
    const dispatcher = chosen instanceof Promise ? await chosen : chosen
    return sendRequest(target, req.method, headers, req.body, timeout, dispatcher)
  },
}

/** Where a request goes: the URL's origin (`http://host:port`) and its path with the query. */
export interface RequestTarget {
  readonly origin: string
  readonly path: string
}

/**
 * Parsed integration URLs by their text: most of a route's requests go to the same few URLs, and
 * `new URL()` per request cost HTTP_PROXY ~3% with the pool's lookup (docs/performance.md). Up to
 * 1,000 texts of up to 512 characters: a `{proxy+}` path chosen by clients makes many distinct ones.
 */
const parsedTargets = new BoundedCache<string, RequestTarget>(1_000)

/** The origin and path of an absolute URL (WHATWG parsing); throws on an invalid one. */
export function requestTarget(text: string): RequestTarget {
  return parsedTargets.get(text, parseTarget, text.length <= 512)
}

function parseTarget(text: string): RequestTarget {
  const url = new URL(text)
  return { origin: url.origin, path: `${url.pathname}${url.search}` }
}

/**
 * One request over the shared pool, bounded by `timeoutMs`; failures become AWS's gateway errors.
 * Through undici's `dispatch` with a handler that gathers the answer, not `request()`: the gateway
 * buffers every body (templates, caches and the 10 MB limit need it whole), so the Readable stream,
 * promise and AbortSignal that `request()` builds per call were pure cost (docs/performance.md).
 */
export async function sendRequest(
  target: RequestTarget,
  method: string,
  headers: readonly HeaderEntry[],
  body: Buffer,
  timeoutMs: number,
  dispatcher: Dispatcher,
): Promise<EndpointResponse> {
  const { errors } = loadedUndici() ?? (await undici())
  const flat: string[] = []
  for (const [name, value] of headers) flat.push(name, value)
  return new Promise((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined
    let status = 0
    let received: HeaderEntry[] = []
    let collector: BoundedBody | undefined
    let settled = false
    let timedOut = false
    const fail = (error: unknown): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (controller && !controller.aborted)
        controller.abort(error instanceof Error ? error : new Error(String(error)))
      reject(translateHttpError(error, timedOut, errors))
    }
    // The whole exchange, connection to last byte, within the integration's timeout.
    const timer = setTimeout(() => {
      timedOut = true
      fail(new errors.RequestAbortedError('integration timeout'))
    }, timeoutMs)
    const tooLarge = (): void => fail(apiConfigurationError('http.response_too_large'))
    try {
      dispatcher.dispatch(
        {
          origin: target.origin,
          path: target.path,
          method: method,
          headers: flat,
          body: body.length > 0 || (method !== 'GET' && method !== 'HEAD') ? body : null,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        },
        {
          onRequestStart(c) {
            controller = c
            if (settled) c.abort(new errors.RequestAbortedError())
          },
          onResponseStart(_c, statusCode, responseHeaders) {
            // 1xx informational answers come before the final one.
            if (statusCode < 200) return
            status = statusCode
            received = headerEntriesOf(responseHeaders)
            collector = new BoundedBody(MAX_PAYLOAD_BYTES, responseHeaders['content-length'])
            if (collector.declaredTooLarge) tooLarge()
          },
          onResponseData(_c, chunk) {
            if (!settled && collector && !collector.add(chunk)) tooLarge()
          },
          onResponseEnd() {
            if (settled) return
            settled = true
            clearTimeout(timer)
            resolve({ status, headers: received, body: collector ? collector.finish() : EMPTY_BODY })
          },
          onResponseError(_c, error) {
            fail(error)
          },
        },
      )
    } catch (error) {
      fail(error)
    }
  })
}

/**
 * The backend's headers (undici's object: names lowercase, repeated ones as arrays). A larger body
 * than API Gateway's 10 MB payload (declared, or once it passes the limit) is a configuration
 * error, 500 (AWS execution log: "Integration response of reported length N is larger than
 * allowed maximum of 10485760 bytes"), and is not read further.
 */
function headerEntriesOf(headers: Record<string, string | string[] | undefined>): HeaderEntry[] {
  const out: HeaderEntry[] = []
  for (const name in headers) {
    const value = headers[name]
    if (value === undefined) continue
    if (typeof value === 'string') out.push([name, value])
    else for (const v of value) out.push([name, v])
  }
  return out
}

/** The one place that turns a client failure into the gateway error AWS answers with. */
function translateHttpError(
  error: unknown,
  timedOut: boolean,
  undiciErrors: typeof import('undici').errors,
): GatewayError {
  if (error instanceof GatewayError) return error
  if (
    timedOut ||
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
