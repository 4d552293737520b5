import { Registry, collectDefaultMetrics, type Metric } from 'prom-client'
import type { LambdaObserver, ObservedInvocation } from '../lambda/service.js'
import { effectiveMethodSetting } from '../model/index.js'
import type { InvocationContext } from '../dataplane/context.js'

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 29]
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900]

/** A histogram's counts per bucket (not cumulative; the last slot is above every bound), sum and count. */
class Observations {
  readonly perBucket: Float64Array
  sum = 0
  count = 0

  constructor(readonly bounds: readonly number[]) {
    this.perBucket = new Float64Array(bounds.length + 1)
  }

  observe(value: number): void {
    let i = 0
    for (const bound of this.bounds) {
      if (value <= bound) break
      i++
    }
    this.perBucket[i] = (this.perBucket[i] ?? 0) + 1
    this.sum += value
    this.count += 1
  }
}

/** One label set of the API metrics and everything counted under it. */
class ApiSeries {
  count = 0
  errors4xx = 0
  errors5xx = 0
  cacheHits = 0
  cacheMisses = 0
  readonly latency = new Observations(LATENCY_BUCKETS)
  readonly integrationLatency = new Observations(LATENCY_BUCKETS)
  constructor(readonly labels: Readonly<Record<'api' | 'stage' | 'resource' | 'method', string>>) {}
}

/** One function's Lambda metrics; an invocation counts itself in the series it started in. */
class FunctionSeries implements ObservedInvocation {
  invocations = 0
  errors = 0
  throttles = 0
  concurrent = 0
  coldStarts = 0
  readonly duration = new Observations(DURATION_BUCKETS)
  readonly labels: Readonly<Record<'function', string>>
  constructor(name: string) {
    this.labels = { function: name }
  }

  finished(ms: number, outcome: 'ok' | 'error' | 'throttled'): void {
    this.concurrent--
    if (outcome === 'throttled') {
      this.throttles++
      return
    }
    this.invocations++
    if (outcome === 'error') this.errors++
    this.duration.observe(ms / 1000)
  }

  coldStarted(): void {
    this.coldStarts++
  }
}

/** The series under `key`, made by `make` the first time the key is seen. */
function seriesIn<S>(map: Map<string, S>, key: string, make: () => S): S {
  let series = map.get(key)
  if (series === undefined) {
    series = make()
    map.set(key, series)
  }
  return series
}

type Value = { value: number; labels: Record<string, string | number>; metricName?: string }

/**
 * One metric as the registry reads it (`get()`, the shape of prom-client's own metrics), made at
 * scrape time from the gateway's series. Hand-written because prom-client's `inc` and `observe`
 * check the label names and build a hash string from the label object on every call: the four to
 * six calls per request cost about 10% of a MOCK request's throughput (two builds alternated in one
 * run, docs/performance.md); here a request finds its series with one Map lookup and adds numbers.
 * A counter shows a label set once it counted something, a gauge once it exists, as prom-client's.
 */
class SeriesMetric<S extends { readonly labels: Readonly<Record<string, string>> }> {
  readonly aggregator = 'sum'
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge' | 'histogram',
    private readonly series: () => Iterable<S>,
    private readonly read: (series: S) => number | Observations,
  ) {}

  get(): Promise<{ name: string; help: string; type: string; values: Value[]; aggregator: string }> {
    const values: Value[] = []
    const bucket = `${this.name}_bucket`
    for (const series of this.series()) {
      const read = this.read(series)
      if (typeof read === 'number') {
        if (read !== 0 || this.type === 'gauge') values.push({ value: read, labels: { ...series.labels } })
        continue
      }
      if (read.count === 0) continue
      let cumulative = 0
      for (const [i, le] of read.bounds.entries()) {
        cumulative += read.perBucket[i] ?? 0
        values.push({ value: cumulative, labels: { le, ...series.labels }, metricName: bucket })
      }
      values.push(
        { value: read.count, labels: { le: '+Inf', ...series.labels }, metricName: bucket },
        { value: read.sum, labels: { ...series.labels }, metricName: `${this.name}_sum` },
        { value: read.count, labels: { ...series.labels }, metricName: `${this.name}_count` },
      )
    }
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    })
  }

  reset(): void {
    // The counts are the gateway's own; a reset of the registry does not clear them.
  }
}

/**
 * API Gateway's CloudWatch metrics as Prometheus metrics (AWS docs "api-gateway-metrics-and-dimensions"):
 * Count, 4XXError, 5XXError, Latency, IntegrationLatency, CacheHitCount, CacheMissCount, by API and
 * stage, and by resource and method when the method's `metrics/enabled` setting (or the stage's
 * `*\/*`) turns detailed metrics on; plus the process's own metrics. Served at /_tollgate/metrics.
 */
export class GatewayMetrics {
  readonly registry = new Registry()
  readonly #apiSeries = new Map<string, ApiSeries>()
  /** The stage-level series by serving stage version, valid while `#forgotten` is unchanged. */
  readonly #stageSeries = new WeakMap<object, { forgotten: number; series: ApiSeries }>()
  #forgotten = 0
  readonly #functionSeries = new Map<string, FunctionSeries>()

  constructor() {
    const api = (): Iterable<ApiSeries> => this.#apiSeries.values()
    this.#register([
      new SeriesMetric('tollgate_api_requests_total', 'Requests (AWS Count)', 'counter', api, (s) => s.count),
      new SeriesMetric(
        'tollgate_api_4xx_errors_total',
        'Client errors (AWS 4XXError)',
        'counter',
        api,
        (s) => s.errors4xx,
      ),
      new SeriesMetric(
        'tollgate_api_5xx_errors_total',
        'Server errors (AWS 5XXError)',
        'counter',
        api,
        (s) => s.errors5xx,
      ),
      new SeriesMetric(
        'tollgate_api_latency_seconds',
        'From request received to response (AWS Latency)',
        'histogram',
        api,
        (s) => s.latency,
      ),
      new SeriesMetric(
        'tollgate_api_integration_latency_seconds',
        'Time spent in the integration (AWS IntegrationLatency)',
        'histogram',
        api,
        (s) => s.integrationLatency,
      ),
      new SeriesMetric(
        'tollgate_api_cache_hits_total',
        'Answers from the stage cache (AWS CacheHitCount)',
        'counter',
        api,
        (s) => s.cacheHits,
      ),
      new SeriesMetric(
        'tollgate_api_cache_misses_total',
        'Stage cache misses (AWS CacheMissCount)',
        'counter',
        api,
        (s) => s.cacheMisses,
      ),
    ])
    collectDefaultMetrics({ register: this.registry, prefix: 'tollgate_' })
  }

  #register<S extends ApiSeries | FunctionSeries>(metrics: SeriesMetric<S>[]): void {
    // The registry reads a metric through get() (and reset()) alone; its type names prom-client's
    // own classes only.
    for (const metric of metrics) this.registry.registerMetric(metric as unknown as Metric)
  }

  /**
   * Lambda's metrics (AWS docs "monitoring-metrics"): Invocations, Errors, Throttles, Duration,
   * ConcurrentExecutions; and cold starts, which Lambda reports only as an Init Duration in REPORT lines.
   */
  lambdaObserver(): LambdaObserver {
    const all = (): Iterable<FunctionSeries> => this.#functionSeries.values()
    this.#register([
      new SeriesMetric(
        'tollgate_lambda_invocations_total',
        'Invocations (AWS Invocations)',
        'counter',
        all,
        (s) => s.invocations,
      ),
      new SeriesMetric(
        'tollgate_lambda_errors_total',
        'Invocations that failed (AWS Errors)',
        'counter',
        all,
        (s) => s.errors,
      ),
      new SeriesMetric(
        'tollgate_lambda_throttles_total',
        'Invocations refused for concurrency (AWS Throttles)',
        'counter',
        all,
        (s) => s.throttles,
      ),
      new SeriesMetric(
        'tollgate_lambda_duration_seconds',
        'Invocation time (AWS Duration)',
        'histogram',
        all,
        (s) => s.duration,
      ),
      new SeriesMetric(
        'tollgate_lambda_concurrent_executions',
        'Invocations running (AWS ConcurrentExecutions)',
        'gauge',
        all,
        (s) => s.concurrent,
      ),
      new SeriesMetric(
        'tollgate_lambda_cold_starts_total',
        'Invocations that started a new execution environment',
        'counter',
        all,
        (s) => s.coldStarts,
      ),
    ])
    return {
      started: (name) => {
        // The invocation keeps its series: one that ends after its function was forgotten
        // counts in a series no longer shown, and a new one of the same name starts from zero.
        const series = seriesIn(this.#functionSeries, name, () => new FunctionSeries(name))
        series.concurrent++
        return series
      },
      forgetFunction: (name) => this.forgetFunction(name),
    }
  }

  /** Forgets a deleted function's series (as `forgetStage`). */
  forgetFunction(name: string): void {
    this.#functionSeries.delete(name)
  }

  /**
   * Forgets a deleted stage's series (Prometheus shows a label set until its process forgets it;
   * a gateway whose APIs come and go must not keep them all).
   */
  forgetStage(apiId: string, stageName: string): void {
    const prefix = `${apiId}\0${stageName}\0`
    for (const key of this.#apiSeries.keys()) if (key.startsWith(prefix)) this.#apiSeries.delete(key)
    this.#forgotten++
  }

  /** Counts one request that reached a stage. */
  record(ctx: InvocationContext, status: number, latencyMs: number): void {
    const match = ctx.match
    const detailed =
      match !== undefined &&
      effectiveMethodSetting(ctx.target.active.stage.methodSettings, match.resource.path, match.methodKey)
        ?.metricsEnabled === true
    const api = ctx.target.apiId
    const stage = ctx.target.stageName
    const resource = detailed ? match.resource.path : ''
    const method = detailed ? match.methodKey : ''
    // A stage's own series is kept on its serving version: the key below, built and hashed anew
    // for every request, was ~1% of a MOCK request (profiled 2026-12-07). Any forgetStage makes
    // every kept one look its series up again.
    const kept = detailed ? undefined : this.#stageSeries.get(ctx.target.active)
    let series: ApiSeries
    if (kept !== undefined && kept.forgotten === this.#forgotten) series = kept.series
    else {
      // API ids, stage names, resource paths and methods hold no NUL: the key names one label set.
      const key = `${api}\0${stage}\0${resource}\0${method}`
      series = seriesIn(this.#apiSeries, key, () => new ApiSeries({ api, stage, resource, method }))
      if (!detailed) this.#stageSeries.set(ctx.target.active, { forgotten: this.#forgotten, series })
    }
    series.count++
    if (status >= 400 && status < 500) series.errors4xx++
    if (status >= 500) series.errors5xx++
    series.latency.observe(latencyMs / 1000)
    if (ctx.integrationLatencyMs !== undefined)
      series.integrationLatency.observe(ctx.integrationLatencyMs / 1000)
    if (ctx.cache) {
      if (ctx.cache.hit) series.cacheHits++
      else series.cacheMisses++
    }
  }
}
