import { readdirSync, readFileSync } from 'node:fs'
import { Agent, request, type Dispatcher } from 'undici'

/** One kind of request in an offered load, and what a correct answer is. */
export interface LoadTarget {
  name: string
  /** Path on the gateway, e.g. `/_aws/execute-api/{id}/prod/mock`. */
  path: string
  method?: string
  headers?: Record<string, string>
  body?: string
  /** The answer's exact body; anything else (or a status other than 200) counts as an error. */
  expectBody: string
}

/** What one target saw during {@link offerLoad}. */
export interface TargetResult {
  name: string
  /** Requests sent: `rate × seconds`, whatever the gateway did. */
  offered: number
  /** Requests answered 200 with the expected body. */
  ok: number
  /** Every other outcome (status, body or transport error), counted by description. */
  errors: Map<string, number>
  /** Latencies in ms from the moment each request was due (not sent), sorted. */
  latencies: Float64Array
}

export interface OfferOptions {
  /** Requests per second per target. */
  rate: number
  durationMs: number
  /** A request not answered within this is an error (default 10 s). */
  timeoutMs?: number
  /** Connections to reuse across runs (a soak offers load in slices); a fresh pool by default. */
  dispatcher?: Dispatcher
}

/**
 * Offers a fixed rate to each target for a fixed time, open loop: requests are sent when due
 * whether or not earlier ones were answered (as independent clients do), so a slow gateway sees
 * the same load and its slowness shows in the latencies (measured from the due time) instead of
 * lowering the rate. Connections are kept alive and opened as needed (up to 256).
 */
export async function offerLoad(
  baseUrl: string,
  targets: readonly LoadTarget[],
  { rate, durationMs, timeoutMs = 10_000, dispatcher: shared }: OfferOptions,
): Promise<TargetResult[]> {
  const dispatcher = shared ?? new Agent({ connections: 256, keepAliveTimeout: 30_000 })
  const total = Math.round((rate * durationMs) / 1000)
  const results = targets.map((t): TargetResult & { lat: number[] } => ({
    name: t.name,
    offered: 0,
    ok: 0,
    errors: new Map(),
    latencies: new Float64Array(0),
    lat: [],
  }))
  const pending: Promise<void>[] = []
  const fail = (result: TargetResult, what: string): void => {
    result.errors.set(what, (result.errors.get(what) ?? 0) + 1)
  }
  const start = performance.now()
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const elapsed = performance.now() - start
      const due = Math.min(total, Math.floor((elapsed * rate) / 1000))
      targets.forEach((target, i) => {
        const result = results[i]!
        while (result.offered < due) {
          const dueAt = start + (result.offered * 1000) / rate
          result.offered += 1
          pending.push(
            request(`${baseUrl}${target.path}`, {
              method: (target.method ?? 'GET') as 'GET',
              headers: target.headers ?? {},
              body: target.body ?? null,
              dispatcher,
              headersTimeout: timeoutMs,
              bodyTimeout: timeoutMs,
            }).then(
              async (response) => {
                const text = await response.body.text()
                result.lat.push(performance.now() - dueAt)
                if (response.statusCode !== 200)
                  fail(result, `status ${response.statusCode}: ${text.slice(0, 80)}`)
                else if (text !== target.expectBody) fail(result, `body ${text.slice(0, 80)}`)
                else result.ok += 1
              },
              (error: unknown) => fail(result, String(error)),
            ),
          )
        }
      })
      if (due >= total) {
        clearInterval(timer)
        resolve()
      }
    }
    const timer = setInterval(tick, 5)
  })
  await Promise.all(pending)
  if (!shared) await dispatcher.close()
  return results.map(({ lat, ...result }) => ({ ...result, latencies: Float64Array.from(lat).sort() }))
}

/** The `p`th percentile of sorted values. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

/** A process's resident memory now (VmRSS) and its peak so far (VmHWM), in KiB, from /proc. */
export function memoryKb(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const field = (name: string): number =>
    Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN)
  return { rss: field('VmRSS'), hwm: field('VmHWM') }
}

/**
 * VmRSS of a process and all its descendants (the gateway with its Lambda environments), in KiB;
 * a process that ends while it is read counts 0.
 */
export function treeRssKb(pid: number): number {
  let total = 0
  try {
    total = memoryKb(pid).rss
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ')) {
        if (child.trim() !== '') total += treeRssKb(Number(child))
      }
    }
  } catch {
    // gone meanwhile
  }
  return total
}

export interface RssSampler {
  /** The highest VmRSS seen so far, in KiB. */
  readonly peakKb: number
  stop(): void
}

/**
 * Samples a process's VmRSS every `intervalMs` and keeps the highest (VmHWM alone would do, but
 * it cannot be reset between phases of one process's life).
 */
export function sampleRss(pid: number, intervalMs = 20): RssSampler {
  let peak = memoryKb(pid).rss
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, memoryKb(pid).rss)
    } catch {
      // the process ended
    }
  }, intervalMs)
  return {
    get peakKb() {
      return peak
    },
    stop: () => clearInterval(timer),
  }
}
