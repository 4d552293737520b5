import type { Dispatcher } from 'undici'
import { MAX_PAYLOAD_BYTES, readBounded, type HeaderEntry } from '../dataplane/request.js'
import type { EndpointResponse } from '../dataplane/context.js'
import { apiConfigurationError, GatewayError, integrationTimeout } from '../dataplane/errors/gateway-error.js'
import type { Integration } from './integration.js'
import { substituteStageVariables } from '../dataplane/mapping/parameters.js'
import { undici } from './backend-tls.js'

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
    let url: URL
    try {
      url = new URL(req.url)
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
      headers = [...headers.filter(([name]) => name.toLowerCase() !== 'host'), ['Host', url.host]]
      url = new URL(`${url.protocol}//${backend}${url.pathname}${url.search}`)
    }
    const dispatcher = await deps.backendTls.dispatcher(
      ctx.target.active.stage.clientCertificateId,
      integration?.tlsConfig?.insecureSkipVerification === true,
    )
    return sendRequest(url, req.method, headers, req.body, timeout, dispatcher)
  },
}

/** One request over the shared pool, bounded by `timeoutMs`; failures become AWS's gateway errors. */
export async function sendRequest(
  url: URL,
  method: string,
  headers: readonly HeaderEntry[],
  body: Buffer,
  timeoutMs: number,
  dispatcher: Dispatcher,
): Promise<EndpointResponse> {
  const { errors, request } = await undici()
  const signal = AbortSignal.timeout(timeoutMs)
  try {
    const response = await request(url, {
      method: method as 'GET',
      headers: headers.flatMap(([name, value]) => [name, value]),
      body: body.length > 0 || !['GET', 'HEAD'].includes(method) ? body : null,
      dispatcher,
      signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    })
    const received = await readLimited(response.body, response.headers['content-length'])
    return { status: response.statusCode, headers: responseHeaders(response.headers), body: received }
  } catch (error) {
    throw translateHttpError(error, signal, errors)
  }
}

/**
 * The backend's body, at most API Gateway's 10 MB payload: a larger one (declared, or once it
 * passes the limit) is a configuration error, 500 (AWS execution log: "Integration response of
 * reported length N is larger than allowed maximum of 10485760 bytes"), and is not read further.
 */
function readLimited(body: Dispatcher.ResponseData['body'], declared: unknown): Promise<Buffer> {
  return readBounded(
    body,
    MAX_PAYLOAD_BYTES,
    () => {
      body.destroy()
      return apiConfigurationError('http.response_too_large')
    },
    declared,
  )
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
function translateHttpError(
  error: unknown,
  signal: AbortSignal,
  undiciErrors: typeof import('undici').errors,
): GatewayError {
  if (error instanceof GatewayError) return error
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
