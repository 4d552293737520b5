import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { LambdaObserver } from '../lambda/service.js'
import { effectiveMethodSetting } from '../model/index.js'
import type { InvocationContext } from '../dataplane/context.js'

type Labels = 'api' | 'stage' | 'resource' | 'method'

/**
 * API Gateway's CloudWatch metrics as Prometheus metrics (AWS docs "api-gateway-metrics-and-dimensions"):
 * Count, 4XXError, 5XXError, Latency, IntegrationLatency, CacheHitCount, CacheMissCount, by API and
 * stage, and by resource and method when the method's `metrics/enabled` setting (or the stage's
 * `*\/*`) turns detailed metrics on; plus the process's own metrics. Served at /_tollgate/metrics.
 */
export class GatewayMetrics {
  readonly registry = new Registry()
  readonly #count: Counter<Labels>
  readonly #errors4xx: Counter<Labels>
  readonly #errors5xx: Counter<Labels>
  readonly #latency: Histogram<Labels>
  readonly #integrationLatency: Histogram<Labels>
  readonly #cacheHits: Counter<Labels>
  readonly #cacheMisses: Counter<Labels>

  constructor() {
    const labelNames: Labels[] = ['api', 'stage', 'resource', 'method']
    const registers = [this.registry]
    const buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 29]
    this.#count = new Counter({
      name: 'tollgate_api_requests_total',
      help: 'Requests (AWS Count)',
      labelNames,
      registers,
    })
    this.#errors4xx = new Counter({
      name: 'tollgate_api_4xx_errors_total',
      help: 'Client errors (AWS 4XXError)',
      labelNames,
      registers,
    })
    this.#errors5xx = new Counter({
      name: 'tollgate_api_5xx_errors_total',
      help: 'Server errors (AWS 5XXError)',
      labelNames,
      registers,
    })
    this.#latency = new Histogram({
      name: 'tollgate_api_latency_seconds',
      help: 'From request received to response (AWS Latency)',
      labelNames,
      buckets,
      registers,
    })
    this.#integrationLatency = new Histogram({
      name: 'tollgate_api_integration_latency_seconds',
      help: 'Time spent in the integration (AWS IntegrationLatency)',
      labelNames,
      buckets,
      registers,
    })
    this.#cacheHits = new Counter({
      name: 'tollgate_api_cache_hits_total',
      help: 'Answers from the stage cache (AWS CacheHitCount)',
      labelNames,
      registers,
    })
    this.#cacheMisses = new Counter({
      name: 'tollgate_api_cache_misses_total',
      help: 'Stage cache misses (AWS CacheMissCount)',
      labelNames,
      registers,
    })
    collectDefaultMetrics({ register: this.registry, prefix: 'tollgate_' })
  }

  /**
   * Lambda's metrics (AWS docs "monitoring-metrics"): Invocations, Errors, Throttles, Duration,
   * ConcurrentExecutions; and cold starts, which Lambda reports only as an Init Duration in REPORT lines.
   */
  lambdaObserver(): LambdaObserver {
    const registers = [this.registry]
    const labelNames = ['function'] as const
    const invocations = new Counter({
      name: 'tollgate_lambda_invocations_total',
      help: 'Invocations (AWS Invocations)',
      labelNames,
      registers,
    })
    const errors = new Counter({
      name: 'tollgate_lambda_errors_total',
      help: 'Invocations that failed (AWS Errors)',
      labelNames,
      registers,
    })
    const throttles = new Counter({
      name: 'tollgate_lambda_throttles_total',
      help: 'Invocations refused for concurrency (AWS Throttles)',
      labelNames,
      registers,
    })
    const duration = new Histogram({
      name: 'tollgate_lambda_duration_seconds',
      help: 'Invocation time (AWS Duration)',
      labelNames,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
      registers,
    })
    const concurrent = new Gauge({
      name: 'tollgate_lambda_concurrent_executions',
      help: 'Invocations running (AWS ConcurrentExecutions)',
      labelNames,
      registers,
    })
    const coldStarts = new Counter({
      name: 'tollgate_lambda_cold_starts_total',
      help: 'Invocations that started a new execution environment',
      labelNames,
      registers,
    })
    return {
      started: (name) => concurrent.inc({ function: name }),
      coldStarted: (name) => coldStarts.inc({ function: name }),
      finished: (name, ms, outcome) => {
        concurrent.dec({ function: name })
        if (outcome === 'throttled') {
          throttles.inc({ function: name })
          return
        }
        invocations.inc({ function: name })
        if (outcome === 'error') errors.inc({ function: name })
        duration.observe({ function: name }, ms / 1000)
      },
    }
  }

  /** Counts one request that reached a stage. */
  record(ctx: InvocationContext, status: number, latencyMs: number): void {
    const match = ctx.match
    const detailed =
      effectiveMethodSetting(ctx.target.active.stage.methodSettings, match?.resource.path, match?.methodKey)
        ?.metricsEnabled === true
    const labels = {
      api: ctx.target.apiId,
      stage: ctx.target.stageName,
      resource: detailed && match ? match.resource.path : '',
      method: detailed && match ? match.methodKey : '',
    }
    this.#count.inc(labels)
    if (status >= 400 && status < 500) this.#errors4xx.inc(labels)
    if (status >= 500) this.#errors5xx.inc(labels)
    this.#latency.observe(labels, latencyMs / 1000)
    if (ctx.integrationLatencyMs !== undefined)
      this.#integrationLatency.observe(labels, ctx.integrationLatencyMs / 1000)
    if (ctx.cache) (ctx.cache.hit ? this.#cacheHits : this.#cacheMisses).inc(labels)
  }
}
