import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  RandomIdGenerator,
  type IdGenerator,
} from '@opentelemetry/sdk-trace-base'
import type { InvocationContext, OutboundResponse, ServingTarget } from '../dataplane/context.js'
import { GatewayError } from '../dataplane/errors/gateway-error.js'
import { headerValue, type InboundRequest } from '../dataplane/request.js'
import type { DataPlaneDeps, Stage, StageOutcome } from '../dataplane/stage.js'
import { parseTraceHeader, traceHeaderWithParent } from './trace-header.js'

/** Spans leave in batches at most this long after they end (the SDK's default is 5 s). */
const EXPORT_DELAY_MS = 1_000

/** What the gateway knows of a Lambda invocation when it ends. */
export interface LambdaSpanResult {
  coldStart: boolean
  requestId: string
  version: string
  functionError: boolean
}

/**
 * OpenTelemetry tracing of the data plane, exported over OTLP/HTTP (JSON). Each gateway has its own
 * tracer provider, not the process-global one, so gateways sharing a process (tests) keep their
 * spans apart. Holds the provider's batch and its exporter until `close()`, which sends what is
 * left. Loaded only when an OTLP endpoint is configured: without one nothing here runs.
 */
export class GatewayTracing {
  readonly #provider: BasicTracerProvider
  readonly #tracer: Tracer
  readonly #ids = new XrayRootIds()

  constructor(endpoint: string, cloud: { region: string; accountId: string }) {
    this.#provider = new BasicTracerProvider({
      resource: resourceFromAttributes({
        'service.name': 'tollgate',
        'cloud.provider': 'aws',
        'cloud.platform': 'aws_api_gateway',
        'cloud.region': cloud.region,
        'cloud.account.id': cloud.accountId,
      }),
      idGenerator: this.#ids,
      spanProcessors: [
        new BatchSpanProcessor(new OTLPTraceExporter({ url: endpoint }), {
          scheduledDelayMillis: EXPORT_DELAY_MS,
        }),
      ],
    })
    this.#tracer = this.#provider.getTracer('tollgate')
  }

  /**
   * Starts the root span of a request when its stage has `tracingEnabled`, in the caller's trace
   * when the request's X-Amzn-Trace-Id names one (Root → trace id, Parent → parent span id). A
   * caller that said `Sampled=0` is not traced.
   */
  begin(request: InboundRequest, target: ServingTarget): RequestTrace | undefined {
    if (!target.active.stage.tracingEnabled) return undefined
    const header = headerValue(request.headers, 'x-amzn-trace-id') ?? ''
    const caller = parseTraceHeader(header)
    if (caller.sampled === false) return undefined
    const parent =
      caller.traceId && caller.parentId
        ? trace.setSpanContext(ROOT_CONTEXT, {
            traceId: caller.traceId,
            spanId: caller.parentId,
            traceFlags: TraceFlags.SAMPLED,
            isRemote: true,
          })
        : ROOT_CONTEXT
    // Without a Parent the root span still joins the Root's trace: the id generator hands it out
    // (startSpan asks for a trace id synchronously, so no other request can take it).
    if (parent === ROOT_CONTEXT && caller.traceId) this.#ids.nextTraceId = caller.traceId
    const root = this.#tracer.startSpan(
      request.method,
      { kind: SpanKind.SERVER, attributes: requestAttributes(request, target) },
      parent,
    )
    this.#ids.nextTraceId = undefined
    // Sampled out (OTEL_TRACES_SAMPLER): no stage spans either, and the header stays as it came.
    if (!root.isRecording()) return undefined
    return new RequestTrace(this.#tracer, root, header)
  }

  /** Sends the spans still batched and stops the exporter. */
  close(): Promise<void> {
    return this.#provider.shutdown()
  }
}

/**
 * One traced request: its root (SERVER) span, a child span per pipeline stage, and Lambda
 * invocation spans under the stage that invoked the function.
 */
export class RequestTrace {
  readonly #tracer: Tracer
  readonly #root: Span
  /** A context with the root span: the parent of stage spans. */
  readonly #rootContext: Context
  /** The running stage's span: Lambda invocations become its children. */
  #current: Span
  /** X-Amzn-Trace-Id as backends and functions receive it: the root span is their Parent. */
  readonly header: string

  constructor(tracer: Tracer, root: Span, inboundHeader: string) {
    this.#tracer = tracer
    this.#root = root
    this.#rootContext = trace.setSpan(ROOT_CONTEXT, root)
    this.#current = root
    const { traceId, spanId } = root.spanContext()
    this.header = traceHeaderWithParent(inboundHeader, traceId, spanId)
  }

  /** Runs one pipeline stage inside its own span (CLIENT for a call to a backend or a function). */
  async runStage(stage: Stage, ctx: InvocationContext, deps: DataPlaneDeps): Promise<StageOutcome> {
    const integration = ctx.match?.method.methodIntegration
    const isCall =
      stage.name === 'invokeIntegration' && integration !== undefined && integration.type !== 'MOCK'
    const span = this.#tracer.startSpan(
      stage.name,
      {
        kind: isCall ? SpanKind.CLIENT : SpanKind.INTERNAL,
        ...(isCall ? { attributes: { 'tollgate.integration.type': integration.type } } : {}),
      },
      this.#rootContext,
    )
    this.#current = span
    try {
      const outcome = await stage.run(ctx, deps)
      if (isCall) span.setAttributes(integrationAttributes(ctx))
      return outcome
    } catch (thrown) {
      failed(span, thrown)
      throw thrown
    } finally {
      this.#current = this.#root
      span.end()
    }
  }

  /** Starts the span of a Lambda invocation (faas.*) under the running stage; `end` closes it. */
  startLambda(
    functionName: string,
    functionArn: string,
  ): { end(result: LambdaSpanResult | undefined, error?: unknown): void } {
    const span = this.#tracer.startSpan(
      functionName,
      {
        kind: SpanKind.SERVER,
        attributes: { 'faas.name': functionName, 'cloud.resource_id': functionArn, 'faas.trigger': 'http' },
      },
      trace.setSpan(ROOT_CONTEXT, this.#current),
    )
    return {
      end(result, error) {
        if (result) {
          span.setAttributes({
            'faas.coldstart': result.coldStart,
            'faas.invocation_id': result.requestId,
            'faas.version': result.version,
          })
          if (result.functionError) span.setStatus({ code: SpanStatusCode.ERROR, message: 'Unhandled' })
        } else failed(span, error)
        span.end()
      },
    }
  }

  /** Ends the root span with what the request came to: route, status, gateway error. */
  finish(ctx: InvocationContext, response: OutboundResponse): void {
    const resourcePath = ctx.match?.resource.path
    if (resourcePath !== undefined) this.#root.updateName(`${ctx.request.method} ${resourcePath}`)
    this.#root.setAttributes({
      'http.response.status_code': response.status,
      'tollgate.request_id': ctx.requestId,
      ...(resourcePath !== undefined
        ? { 'http.route': resourcePath, 'tollgate.resource_path': resourcePath }
        : {}),
      ...(ctx.error
        ? { 'tollgate.error.response_type': ctx.error.type, 'tollgate.error.detail': ctx.error.detail }
        : {}),
    })
    // A server span is an error for a 5XX only (OpenTelemetry HTTP semantic conventions).
    if (response.status >= 500) this.#root.setStatus({ code: SpanStatusCode.ERROR })
    this.#root.end()
  }
}

/** Marks a span failed: a gateway error by its type and detail code, anything else as an exception. */
function failed(span: Span, thrown: unknown): void {
  if (thrown instanceof GatewayError) {
    span.setAttributes({
      'tollgate.error.response_type': thrown.type,
      'tollgate.error.detail': thrown.detail,
    })
    span.setStatus({ code: SpanStatusCode.ERROR, message: `${thrown.type} (${thrown.detail})` })
    return
  }
  if (thrown instanceof Error) span.recordException(thrown)
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: thrown instanceof Error ? thrown.message : String(thrown),
  })
}

/** The OpenTelemetry HTTP server attributes of a request, and which API and stage serve it. */
function requestAttributes(request: InboundRequest, target: ServingTarget): Attributes {
  const userAgent = headerValue(request.headers, 'user-agent')
  return {
    'http.request.method': request.method,
    'url.path': request.rawPath,
    ...(request.rawQuery ? { 'url.query': request.rawQuery } : {}),
    'url.scheme': request.secure ? 'https' : 'http',
    'server.address': request.host.replace(/:\d+$/, ''),
    'client.address': request.sourceIp,
    'network.protocol.version': request.protocol.replace(/^HTTP\//, ''),
    ...(userAgent !== undefined ? { 'user_agent.original': userAgent } : {}),
    'tollgate.api_id': target.apiId,
    'tollgate.stage': target.stageName,
    ...(target.isCanaryRequest ? { 'tollgate.canary': true } : {}),
  }
}

/** The OpenTelemetry HTTP client attributes of the endpoint request, once answered. */
function integrationAttributes(ctx: InvocationContext): Attributes {
  const request = ctx.integrationRequest
  return {
    ...(request?.url ? { 'url.full': request.url, 'http.request.method': request.method } : {}),
    ...(ctx.endpointResponse ? { 'http.response.status_code': ctx.endpointResponse.status } : {}),
  }
}

/** Random ids, except a trace id handed in for the next root span (an X-Ray Root without Parent). */
class XrayRootIds implements IdGenerator {
  readonly #random = new RandomIdGenerator()
  nextTraceId: string | undefined

  generateTraceId(): string {
    return this.nextTraceId ?? this.#random.generateTraceId()
  }

  generateSpanId(): string {
    return this.#random.generateSpanId()
  }
}
