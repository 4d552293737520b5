import type { InvocationContext, OutboundResponse } from '../dataplane/context.js'
import { effectiveMethodSetting } from '../model/index.js'

/** One logged request: its lines, in order. */
export interface ExecutionLogEntry {
  seq: number
  requestId: string
  lines: string[]
}

/**
 * AWS docs ("rest-api-execution-logging", standard execution logging): "Log events are truncated
 * at 1 KB"; a cut event ends in `[TRUNCATED]` (what CloudWatch shows, e.g. cisagov/crossfeed#2386).
 * It also bounds what a stage's 1,000 kept requests hold when bodies are logged.
 */
const EVENT_BYTES = 1_024
const TRUNCATED = ' [TRUNCATED]'

/** An event's text cut to EVENT_BYTES of UTF-8 (never inside a character), marked when cut. */
export function truncatedEvent(text: string): string {
  // Up to a quarter of the limit in UTF-16 units is within it in UTF-8 (at most 3 bytes a unit).
  if (text.length <= EVENT_BYTES / 4 || Buffer.byteLength(text) <= EVENT_BYTES) return text
  return `${utf8Prefix(Buffer.from(text), EVENT_BYTES)}${TRUNCATED}`
}

/** The text of at most `bytes` bytes of `body`, less a character the cut split. */
function utf8Prefix(body: Buffer, bytes: number): string {
  const text = body.subarray(0, bytes).toString('utf8')
  return body.length > bytes && text.endsWith('\uFFFD') ? text.slice(0, -1) : text
}

/** A body for a line: its first EVENT_BYTES only (the line is cut there anyway), decoded. */
const bodyText = (body: Buffer): string => utf8Prefix(body, EVENT_BYTES + 1)

/** The step-by-step lines AWS's execution logs give one request (method request to method response). */
export function executionLines(
  ctx: InvocationContext,
  response: OutboundResponse,
  dataTrace: boolean,
): string[] {
  const at = (text: string): string => truncatedEvent(`(${ctx.requestId}) ${text}`)
  const match = ctx.match
  const lines = [
    at(`Extended Request Id: ${ctx.extendedRequestId}`),
    at(
      `Verifying Usage Plan for request: ${ctx.requestId}. API Key: ${ctx.keyGrant ? '****' : ''} API Stage: ${ctx.target.apiId}/${ctx.target.stageName}`,
    ),
    at(`Starting execution for request: ${ctx.requestId}`),
    at(`HTTP Method: ${ctx.request.method}, Resource Path: ${ctx.request.path}`),
  ]
  if (ctx.authorizer)
    lines.push(at(`Authorizer result: principalId ${ctx.authorizer.principalId ?? '(claims)'}`))
  if (dataTrace) lines.push(at(`Method request body before transformations: ${bodyText(ctx.request.body)}`))
  if (ctx.cache?.hit) lines.push(at('Sending cached response'))
  if (ctx.integrationRequest && !ctx.cache?.hit) {
    lines.push(
      at(
        `Endpoint request URI: ${ctx.integrationRequest.url || `(${match?.method.methodIntegration?.type ?? 'MOCK'})`}`,
      ),
    )
    if (dataTrace)
      lines.push(at(`Endpoint request body after transformations: ${bodyText(ctx.integrationRequest.body)}`))
    lines.push(at(`Sending request to ${ctx.integrationRequest.url || 'the integration'}`))
  }
  if (ctx.endpointResponse && !ctx.cache?.hit) {
    lines.push(
      at(
        `Received response. Status: ${ctx.endpointResponse.status}, Integration latency: ${Math.round(ctx.integrationLatencyMs ?? 0)} ms`,
      ),
    )
    if (dataTrace)
      lines.push(at(`Endpoint response body before transformations: ${bodyText(ctx.endpointResponse.body)}`))
  }
  if (ctx.error)
    lines.push(at(`Execution failed: ${ctx.error.type} (${ctx.error.detail}): ${ctx.error.message}`))
  if (dataTrace) lines.push(at(`Method response body after transformations: ${bodyText(response.body)}`))
  lines.push(at(`Method completed with status: ${response.status}`))
  return lines
}

/**
 * Execution logs per stage (AWS docs "set-up-logging": `logging/loglevel` INFO logs every request,
 * ERROR only failed ones; `logging/dataTrace` adds bodies), kept in memory — the last 1,000
 * requests of each stage — and read with `tollgate logs` through `GET /_tollgate/logs`.
 */
export class ExecutionLogs {
  readonly #stages = new Map<string, ExecutionLogEntry[]>()
  #seq = 0

  record(ctx: InvocationContext, response: OutboundResponse): void {
    const match = ctx.match
    const setting = effectiveMethodSetting(
      ctx.target.active.stage.methodSettings,
      match?.resource.path,
      match?.methodKey,
    )
    const level = setting?.loggingLevel ?? 'OFF'
    if (level === 'OFF' || (level === 'ERROR' && response.status < 400)) return
    const key = `${ctx.target.apiId}/${ctx.target.stageName}`
    const list = this.#stages.get(key) ?? []
    list.push({
      seq: ++this.#seq,
      requestId: ctx.requestId,
      lines: executionLines(ctx, response, setting?.dataTraceEnabled === true),
    })
    if (list.length > 1_000) list.shift()
    this.#stages.set(key, list)
  }

  /** Forgets a deleted stage's entries. */
  forgetStage(apiId: string, stage: string): void {
    this.#stages.delete(`${apiId}/${stage}`)
  }

  /** The entries of a stage after `since` (a sequence number). */
  read(apiId: string, stage: string, since = 0): ExecutionLogEntry[] {
    return (this.#stages.get(`${apiId}/${stage}`) ?? []).filter((e) => e.seq > since)
  }
}
