import { describe, expect, it } from 'vitest'
import { directSpread, MAX_DIRECT_SPREAD, type Run } from '../../bench/all/report.js'

// `npm run bench --write` refuses a run in which the machine changed speed (bench/all.ts): these
// are the direct backend's rounds of the run written on 2026-12-05 and of one on 2026-12-06
// (docs/performance.md), which the check must tell apart.
function run(target: Run['target'], requestsPerSecond: number): Run {
  return {
    target,
    round: 1,
    requestsPerSecond,
    requests: requestsPerSecond * 5,
    p50: 1,
    p99: 2,
    failures: 0,
    serverCpu: 15,
    backendCpu: undefined,
    rss: 60,
    rssTree: 60,
  }
}

describe('the direct backend spread of a bench run', () => {
  it('is small for a steady run and large for one where the machine changed speed', () => {
    const steady = [62692, 68643, 62713].map((r) => run('direct', r))
    const unsteady = [30549, 44174, 34678].map((r) => run('direct', r))
    const others = [run('offline', 361), run('offline', 894)]
    expect(directSpread([...steady, ...others])).toBeCloseTo(0.0949, 3)
    expect(directSpread([...steady, ...others])!).toBeLessThan(MAX_DIRECT_SPREAD)
    expect(directSpread([...unsteady, ...others])).toBeCloseTo(0.446, 3)
    expect(directSpread([...unsteady, ...others])!).toBeGreaterThan(MAX_DIRECT_SPREAD)
  })

  it('is unknown with fewer than two rounds of the direct backend', () => {
    expect(directSpread([run('direct', 1000), run('mock', 500)])).toBeUndefined()
  })
})
