import type { IncomingMessage, ServerResponse } from 'node:http'
import type { EndpointType } from '../model/index.js'
import type { StageRegistry } from '../deployment/stage-registry.js'
import type { ActiveStage } from '../deployment/stage-registry.js'
import type { ExecuteApiAddress } from './address.js'
import { InvocationContext, type OutboundResponse, type ServingTarget } from './context.js'
import { GatewayError, requestTooLarge } from './errors/gateway-error.js'
import { renderGatewayError } from './errors/render.js'
import { runPipeline } from './pipeline.js'
import {
  EMPTY_BODY,
  headerValue,
  isSendable,
  MAX_PAYLOAD_BYTES,
  parseQuery,
  readBounded,
  type HeaderEntry,
  type InboundRequest,
} from './request.js'
import { compressResponse } from './compression.js'
import {
  headerSectionBytes,
  isClosing,
  MAX_HEADER_BYTES,
  MAX_PRIVATE_HEADER_BYTES,
  maxUrlLength,
  refuseConnection,
} from './request-line.js'
import { pooledRandomBytes } from '../model/ids.js'
import { BoundedCache } from '../model/bounded-cache.js'
import type { DataPlaneDeps } from './stage.js'
import { TurnBatch } from './turn-batch.js'

export { MAX_PAYLOAD_BYTES } from './request.js'

/** Serves one request addressed to a stage, from the raw socket to the last byte. */
export async function handleDataPlaneRequest(
  req: IncomingMessage,
  res: ServerResponse,
  address: ExecuteApiAddress,
  registry: StageRegistry,
  deps: DataPlaneDeps,
  listener: Listener = {},
): Promise<void> {
  // The stage, endpoint types and body are there at once for most requests: awaiting them anyway
  // would cost a turn of the microtask queue each.
  const resolved = registry.resolve(address.apiId, address.stageName)
  const lookup = resolved instanceof Promise ? await resolved : resolved
  // An unknown stage, or an API whose execute-api endpoint is disabled, answers 403 Forbidden
  // (AWS Knowledge Center "api-gateway-troubleshoot-403-forbidden": a wrong stage name gives a
  // 403 "Forbidden"). Unknown APIs answer the same: on AWS the wildcard execute-api host
  // resolves and the gateway forbids. A PRIVATE API answers only through a VPC endpoint: from
  // anywhere else AWS answers 403 Forbidden too.
  let types: readonly EndpointType[] = []
  if (typeof lookup !== 'string') {
    const current = deps.apiEndpoints.typesOf(address.apiId)
    types =
      (current instanceof Promise ? await current : current) ??
      lookup.deployment.api.endpointConfiguration.types
  }
  if (
    typeof lookup === 'string' ||
    lookup.deployment.api.disableExecuteApiEndpoint ||
    (types.includes('PRIVATE') && !listener.vpce)
  ) {
    req.resume()
    send(res, forbidden(), undefined, deps)
    return
  }
  // AWS's URL and header quotas, checked before anything reads the body; the connection closes
  // after the answer, as the parser's 431 for a head past MAX_HEAD_BYTES does.
  if ((req.url ?? '').length > maxUrlLength(types)) {
    refuseConnection(req)
    req.resume()
    send(res, uriTooLong(), undefined, deps, true)
    return
  }
  const headerLimit = types.includes('PRIVATE') ? MAX_PRIVATE_HEADER_BYTES : MAX_HEADER_BYTES
  if (headerSectionBytes(req.rawHeaders) > headerLimit) {
    refuseConnection(req)
    req.resume()
    send(res, headersTooLarge(), undefined, deps, true)
    return
  }
  const headers = headerEntries(req)
  let body: Buffer
  try {
    const read = readBody(req, headers)
    body = read instanceof Promise ? await read : read
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error
    refuseConnection(req)
    send(res, renderGatewayError(error, undefined, deps), undefined, deps, true)
    return
  }
  // A request pipelined behind a refused one on the same connection is dropped unanswered.
  if (isClosing(req)) {
    // The refused request's answer goes out before the connection closes.
    answers.flush()
    res.destroy()
    return
  }
  let request = inboundRequest(req, headers, address, body, listener)
  if (types.includes('EDGE')) request = withEdgeHeaders(request, deps.edgeViewerCountry)
  const target = servingTarget(address, lookup)
  const trace = deps.tracing?.begin(request, target)
  // A traced request's backends and functions see the gateway's span as the Parent.
  if (trace) request = withTraceHeader(request, trace.header)
  const ctx = new InvocationContext(request, target)
  if (trace) ctx.trace = trace
  const started = performance.now()
  const outcome = await runPipeline(ctx, deps)
  const latency = performance.now() - started
  trace?.finish(ctx, outcome)
  deps.metrics.record(ctx, outcome.status, latency)
  deps.accessLog.write(ctx, outcome, latency, deps)
  deps.executionLogs.record(ctx, outcome)
  const response = compressResponse(
    outcome,
    headerValue(ctx.request.headers, 'accept-encoding'),
    ctx.target.deployment.api.minimumCompressionSize,
  )
  send(res, response, ctx, deps)
}

function forbidden(): OutboundResponse {
  return {
    status: 403,
    headers: [
      ['Content-Type', 'application/json'],
      ['x-amzn-ErrorType', 'ForbiddenException'],
    ],
    body: Buffer.from('{"message":"Forbidden"}'),
  }
}

/**
 * 431 Request Header Fields Too Large (RFC 6585): what clients report from API Gateway when the
 * headers pass 10 KB (e.g. backbencher.dev "431 Status Code With Request Header Fields Too Large",
 * 2023, cookies through a REST API). AWS documents the quota, not the answer; the body is ours.
 */
function headersTooLarge(): OutboundResponse {
  return {
    status: 431,
    headers: [['Content-Type', 'application/json']],
    body: Buffer.from('{"message":"Request Header Fields Too Large"}'),
  }
}

/**
 * 414 URI Too Long (RFC 9110 section 15.5.15), what AWS names for a method ARN past its quota
 * ("414 Request URI too long", AWS docs "limits"). AWS documents the URL quota, not the answer to
 * a URL past it; the body is ours, worded as the status.
 */
function uriTooLong(): OutboundResponse {
  return {
    status: 414,
    headers: [['Content-Type', 'application/json']],
    body: Buffer.from('{"message":"Request-URI Too Long"}'),
  }
}

/** Picks the deployment for this request: the canary's for `percentTraffic`% of requests. */
function servingTarget(address: ExecuteApiAddress, active: ActiveStage): ServingTarget {
  const canary = active.stage.canarySettings
  const isCanaryRequest = active.canary !== undefined && Math.random() * 100 < (canary?.percentTraffic ?? 0)
  const variables = active.stage.variables ?? {}
  return {
    apiId: address.apiId,
    stageName: address.stageName,
    active,
    deployment: isCanaryRequest && active.canary ? active.canary : active.deployment,
    isCanaryRequest,
    stageVariables: isCanaryRequest ? { ...variables, ...canary?.stageVariableOverrides } : variables,
  }
}

/** `Root=1-{epoch seconds, hex}-{96 random bits, hex}`: X-Ray's trace id format. */
function newTraceId(): string {
  return `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${pooledRandomBytes(12).toString('hex')}`
}

/** Which listener a request arrived on: the public one, or a VPC endpoint's. */
export interface Listener {
  vpce?: { id: string; vpcId?: string | undefined }
  /** The HTTPS listener: the client certificate it verified, when mutual TLS is on for the domain. */
  clientCert?: ClientCert
  tls?: boolean
}

/** `$context.identity.clientCert` (AWS docs "rest-api-mutual-tls"). */
export interface ClientCert {
  clientCertPem: string
  subjectDN: string
  issuerDN: string
  serialNumber: string
  validity: { notBefore: string; notAfter: string }
}

/** CloudFront's viewer flags from the User-Agent, as its device detection sets them. */
function viewerFlags(userAgent: string): Record<'Desktop' | 'Mobile' | 'SmartTV' | 'Tablet', boolean> {
  const tablet = /iPad|Tablet|Nexus (7|9|10)|SM-T/i.test(userAgent)
  const tv = /SmartTV|SMART-TV|HbbTV|AppleTV|GoogleTV|Roku/i.test(userAgent)
  const mobile = !tablet && /Mobile|iPhone|Android.*Mobile|Windows Phone/i.test(userAgent)
  return { Desktop: !tablet && !tv && !mobile, Mobile: mobile, SmartTV: tv, Tablet: tablet }
}

/**
 * What an edge-optimized API's requests carry on AWS after CloudFront (AWS docs
 * "api-gateway-api-endpoint-types"; CloudFront "Adding CloudFront request headers"): `Via`,
 * `X-Amz-Cf-Id`, `CloudFront-Forwarded-Proto`, `CloudFront-Is-*-Viewer`, `CloudFront-Viewer-Country`
 * (a front proxy's own value is kept), and `X-Forwarded-For` / `-Port` / `-Proto`.
 */
function withEdgeHeaders(request: InboundRequest, country: string): InboundRequest {
  // One pass over the client's headers: X-Forwarded-* are replaced (their For lines kept for the
  // chain), the rest kept in order.
  const headers: HeaderEntry[] = []
  const forwarded: string[] = []
  let hasCountry = false
  for (const entry of request.headers) {
    const name = entry[0]
    if (name.length >= 15 && name.length <= 17 && FORWARDED_HEADER.test(name)) {
      if (name.length === 15) forwarded.push(entry[1])
      continue
    }
    if (name.length === 25 && name.toLowerCase() === 'cloudfront-viewer-country') hasCountry = true
    headers.push(entry)
  }
  const proto = request.secure ? 'https' : 'http'
  // One random draw for both CloudFront ids.
  const random = pooledRandomBytes(58)
  headers.push(
    ['Via', `1.1 ${random.toString('hex', 0, 16)}.cloudfront.net (CloudFront)`],
    ['X-Amz-Cf-Id', random.toString('base64url', 16).slice(0, 56)],
    ['CloudFront-Forwarded-Proto', proto],
    ...viewerHeaderCache.get(headerValue(request.headers, 'user-agent') ?? '', viewerHeaderEntries),
  )
  if (!hasCountry) headers.push(['CloudFront-Viewer-Country', country])
  // Every X-Forwarded-For line a client or front proxy sent, in order (RFC 9110 5.3: lines of a
  // list header join with commas), then the address CloudFront saw.
  forwarded.push(request.sourceIp)
  headers.push(
    ['X-Forwarded-For', forwarded.join(', ')],
    ['X-Forwarded-Port', proto === 'https' ? '443' : '80'],
    ['X-Forwarded-Proto', proto],
  )
  return { ...request, headers }
}

const FORWARDED_HEADER = /^x-forwarded-(?:for|port|proto)$/i

/** The CloudFront-Is-*-Viewer headers of recent User-Agents: clients repeat theirs on every request. */
const viewerHeaderCache = new BoundedCache<string, readonly HeaderEntry[]>(1_000)

function viewerHeaderEntries(userAgent: string): readonly HeaderEntry[] {
  return Object.entries(viewerFlags(userAgent)).map(([kind, value]): HeaderEntry => [
    `CloudFront-Is-${kind}-Viewer`,
    String(value),
  ])
}

function withTraceHeader(request: InboundRequest, value: string): InboundRequest {
  const headers = request.headers.map((entry): HeaderEntry =>
    entry[0].toLowerCase() === 'x-amzn-trace-id' ? [entry[0], value] : entry,
  )
  return { ...request, headers }
}

/** The request's headers as received, in order (never `req.headers`: Node builds that object lazily, at a cost). */
function headerEntries(req: IncomingMessage): HeaderEntry[] {
  const raw = req.rawHeaders
  const headers: HeaderEntry[] = []
  for (let i = 0; i + 1 < raw.length; i += 2) headers.push([raw[i] as string, raw[i + 1] as string])
  return headers
}

function inboundRequest(
  req: IncomingMessage,
  headers: HeaderEntry[],
  address: ExecuteApiAddress,
  body: Buffer,
  listener: Listener,
): InboundRequest {
  // X-Ray's trace header: kept when the client sent one, else started here, as API Gateway does
  // (AWS docs "apigateway-using-xray"); it reaches backends and Lambda proxy events.
  if (headerValue(headers, 'x-amzn-trace-id') === undefined) headers.push(['X-Amzn-Trace-Id', newTraceId()])
  const url = req.url ?? '/'
  const queryAt = url.indexOf('?')
  return {
    method: req.method ?? 'GET',
    path: address.path,
    stagePath: address.stagePath,
    rawPath: queryAt === -1 ? url : url.slice(0, queryAt),
    headers,
    rawQuery: address.rawQuery,
    query: parseQuery(address.rawQuery),
    body,
    sourceIp: normaliseIp(req.socket.remoteAddress ?? '127.0.0.1'),
    ...(listener.vpce ? { vpce: listener.vpce } : {}),
    ...(address.domainName ? { domainName: address.domainName } : {}),
    ...(listener.clientCert ? { clientCert: listener.clientCert } : {}),
    protocol: `HTTP/${req.httpVersion}`,
    ...(listener.tls ? { secure: true } : {}),
    host: headerValue(headers, 'host') ?? 'localhost',
  }
}

const normaliseIp = (ip: string): string => (ip.startsWith('::ffff:') ? ip.slice(7) : ip)

function readBody(req: IncomingMessage, headers: readonly HeaderEntry[]): Promise<Buffer> | Buffer {
  const contentLength = headerValue(headers, 'content-length')
  // A request with neither header has no body (RFC 9112 6.3): nothing to wait for.
  if (contentLength === undefined && headerValue(headers, 'transfer-encoding') === undefined)
    return EMPTY_BODY
  return readBounded(
    req,
    MAX_PAYLOAD_BYTES,
    (declared) => {
      req.resume()
      return requestTooLarge(declared ? 'listener.content_length' : 'listener.body_size')
    },
    contentLength,
  )
}

/** Writes a response with the headers API Gateway adds to every answer. */
function send(
  res: ServerResponse,
  response: OutboundResponse,
  ctx: InvocationContext | undefined,
  deps: DataPlaneDeps,
  close = false,
): void {
  const flat: string[] = []
  for (const [name, value] of response.headers) flat.push(name, value)
  flat.push('Content-Length', String(response.body.length))
  if (ctx) {
    flat.push('x-amzn-RequestId', ctx.requestId, 'x-amz-apigw-id', ctx.extendedRequestId)
    // The request id's first 24 hex digits (a UUID: 8-4-4-4-12), taken around its dashes.
    const id = ctx.requestId
    flat.push(
      'X-Amzn-Trace-Id',
      `Root=1-${Math.floor(ctx.requestTimeEpoch / 1000).toString(16)}-${id.slice(0, 8)}${id.slice(9, 13)}${id.slice(14, 18)}${id.slice(19, 23)}${id.slice(24, 28)}`,
    )
  }
  if (close) flat.push('Connection', 'close')
  answers.add({ res, status: response.status, headers: flat, body: response.body, log: deps.log })
}

interface Answer {
  res: ServerResponse
  status: number
  headers: string[]
  body: Buffer
  log: DataPlaneDeps['log']
}

/** The answers of one turn of the event loop, written back to back (see TurnBatch). */
const answers = new TurnBatch<Answer>(
  (answer) => writeAnswer(answer.res, answer.status, answer.headers, answer.body),
  // An answer Node refused to write whole (an invalid status code, say): the server's last-resort
  // 500, as for any other failure inside the gateway, or a closed connection if it began. The
  // turn's other answers still go out.
  (answer, error) => {
    answer.log.error({ err: error }, 'data plane answer could not be written')
    const res = answer.res
    if (res.headersSent) {
      res.destroy()
      return
    }
    res.writeHead(500, { 'content-type': 'application/json' })
    res.end('{"message":"Internal server error"}')
  },
)

function writeAnswer(res: ServerResponse, status: number, flat: string[], body: Buffer): void {
  try {
    res.writeHead(status, flat)
  } catch {
    // Node refused a header HTTP cannot carry (a mapped value with CR/LF from request data, say)
    // before writing anything: the others go out without it, never a split response. Checking
    // only here keeps the check off the path of every well-formed answer.
    const sendable: string[] = []
    for (let i = 0; i + 1 < flat.length; i += 2)
      if (isSendable(flat[i] as string, flat[i + 1] as string))
        sendable.push(flat[i] as string, flat[i + 1] as string)
    res.writeHead(status, sendable)
  }
  // Node sends no body for HEAD requests by itself.
  res.end(body)
}
