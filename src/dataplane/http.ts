import type { IncomingMessage, ServerResponse } from 'node:http'
import type { StageRegistry } from '../deployment/stage-registry.js'
import type { ActiveStage } from '../deployment/stage-registry.js'
import type { ExecuteApiAddress } from './address.js'
import { InvocationContext, type OutboundResponse, type ServingTarget } from './context.js'
import { GatewayError, requestTooLarge } from './errors/gateway-error.js'
import { renderGatewayError } from './errors/render.js'
import { runPipeline } from './pipeline.js'
import { headerValue, parseQuery, type HeaderEntry, type InboundRequest } from './request.js'
import { compressResponse } from './compression.js'
import type { DataPlaneDeps } from './stage.js'

/** API Gateway's payload limit (AWS docs "limits": 10 MB, not adjustable). */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024

/** Serves one request addressed to a stage, from the raw socket to the last byte. */
export async function handleDataPlaneRequest(
  req: IncomingMessage,
  res: ServerResponse,
  address: ExecuteApiAddress,
  registry: StageRegistry,
  deps: DataPlaneDeps,
): Promise<void> {
  const lookup = await registry.resolve(address.apiId, address.stageName)
  // An unknown stage, or an API whose execute-api endpoint is disabled, answers 403 Forbidden
  // (AWS Knowledge Center "api-gateway-troubleshoot-403-forbidden": a wrong stage name gives a
  // 403 "Forbidden"). Unknown APIs answer the same: on AWS the wildcard execute-api host
  // resolves and the gateway forbids.
  if (typeof lookup === 'string' || lookup.deployment.api.disableExecuteApiEndpoint) {
    req.resume()
    send(res, forbidden(), undefined)
    return
  }
  let body: Buffer
  try {
    body = await readBody(req)
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error
    send(res, renderGatewayError(error, undefined, deps), undefined, true)
    return
  }
  const ctx = new InvocationContext(inboundRequest(req, address, body), servingTarget(address, lookup))
  const response = compressResponse(
    await runPipeline(ctx, deps),
    headerValue(ctx.request.headers, 'accept-encoding'),
    ctx.target.deployment.api.minimumCompressionSize,
  )
  send(res, response, ctx)
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

function inboundRequest(req: IncomingMessage, address: ExecuteApiAddress, body: Buffer): InboundRequest {
  const headers: HeaderEntry[] = []
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    headers.push([req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string])
  }
  return {
    method: req.method ?? 'GET',
    path: address.path,
    stagePath: address.stagePath,
    headers,
    rawQuery: address.rawQuery,
    query: parseQuery(address.rawQuery),
    body,
    sourceIp: normaliseIp(req.socket.remoteAddress ?? '127.0.0.1'),
    protocol: `HTTP/${req.httpVersion}`,
    host: req.headers.host ?? 'localhost',
  }
}

const normaliseIp = (ip: string): string => (ip.startsWith('::ffff:') ? ip.slice(7) : ip)

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > MAX_PAYLOAD_BYTES) {
    req.resume()
    throw requestTooLarge('listener.content_length')
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_PAYLOAD_BYTES) {
      req.resume()
      throw requestTooLarge('listener.body_size')
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks, size)
}

/** Writes a response with the headers API Gateway adds to every answer. */
function send(
  res: ServerResponse,
  response: OutboundResponse,
  ctx: InvocationContext | undefined,
  close = false,
): void {
  const flat: string[] = []
  for (const [name, value] of response.headers) flat.push(name, value)
  flat.push('Content-Length', String(response.body.length))
  if (ctx) {
    flat.push('x-amzn-RequestId', ctx.requestId, 'x-amz-apigw-id', ctx.extendedRequestId)
    flat.push(
      'X-Amzn-Trace-Id',
      `Root=1-${Math.floor(ctx.requestTimeEpoch / 1000).toString(16)}-${ctx.requestId.replaceAll('-', '').slice(0, 24)}`,
    )
  }
  if (close) flat.push('Connection', 'close')
  res.writeHead(response.status, flat)
  // Node sends no body for HEAD requests by itself.
  res.end(response.body)
}
