import { request } from 'undici'

/** What a {@link startResponsivenessProbe} saw between its start and `stop()`. */
export interface ResponsivenessReport {
  /** Requests answered (any status). */
  answered: number
  /** Requests that failed or answered a status other than `expectStatus`. */
  failures: string[]
  /** The slowest answer, in ms, counted from the moment the request was due (not sent). */
  maxMs: number
}

export interface ResponsivenessProbe {
  stop(): Promise<ResponsivenessReport>
}

/**
 * Proves a gateway's event loop is never blocked during a fault test: a request to a cheap
 * endpoint (a MOCK method, say) is due every `intervalMs`, one at a time, and each answer's
 * latency is measured from when it was due. A loop blocked for 200 ms shows up as a ~200 ms
 * answer even when the probe shares the gateway's process (the due time does not move).
 */
export function startResponsivenessProbe(
  url: string,
  { intervalMs = 25, expectStatus = 200 }: { intervalMs?: number; expectStatus?: number } = {},
): ResponsivenessProbe {
  const report: ResponsivenessReport = { answered: 0, failures: [], maxMs: 0 }
  let stopped = false
  const loop = (async () => {
    let due = performance.now()
    while (!stopped) {
      try {
        const response = await request(url, { method: 'GET', headersTimeout: 10_000, bodyTimeout: 10_000 })
        await response.body.text()
        report.answered += 1
        if (response.statusCode !== expectStatus) report.failures.push(`status ${response.statusCode}`)
      } catch (error) {
        report.failures.push(String(error))
      }
      report.maxMs = Math.max(report.maxMs, performance.now() - due)
      due += intervalMs
      const wait = due - performance.now()
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
      else due = performance.now()
    }
  })()
  return {
    async stop() {
      stopped = true
      await loop
      return report
    },
  }
}
