import { describe, expect, it } from 'vitest'
import type { PairedRatio } from '../../bench/all/measure.js'
import type { Soak } from '../../bench/all/points.js'
import { directSpread, MAX_DIRECT_SPREAD, renderReport, type Run } from '../../bench/all/report.js'

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

/** The report of a run that has only `runs` (and the paired ratios given), line by line. */
function reportLines(runs: Run[], paired: Parameters<typeof renderReport>[0]['paired'] = []): string[] {
  return renderReport({
    header: [],
    notes: [],
    order: [],
    runs,
    startups: {},
    hundredApis: undefined,
    deployLive: undefined,
    soak: undefined,
    paired,
  }).split('\n')
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

describe('the AWS_PROXY soak paragraph of a bench report', () => {
  const soakOf = (descendants: number[]): Soak => ({
    seconds: descendants.length,
    result: { requestsPerSecond: 3000, requests: 3000 * descendants.length, p50: 15, p99: 30, failures: 0 },
    samples: descendants.map((d, i) => ({ process: 130 + i, tree: 130 + i + 70 * d, descendants: d })),
    settledAfter: 1,
    growth: 0,
    growthFromOneSample: 0,
  })
  const report = (soak: Soak): string =>
    renderReport({
      header: [],
      notes: [],
      order: [],
      runs: [],
      startups: {},
      hundredApis: undefined,
      deployLive: undefined,
      soak,
      paired: [],
    })

  it('says how many function environments there were, and each second when the number changed', () => {
    expect(report(soakOf([3, 3, 3]))).toContain(
      'gateway process alone: 130 131 132; 3 function environment(s) throughout.',
    )
    // An environment started during the soak: its ~70 MB is not growth of the ones there.
    expect(report(soakOf([2, 2, 3]))).toContain(
      'gateway with its function environments: 270 271 342; gateway process alone: 130 131 132; function environments each second: 2 2 3.',
    )
  })
})

describe("the targets that compare two of Tollgate's routes", () => {
  // The rounds of the run of 2026-12-06 22:20 (docs/performance.md): MOCK in an API of 3 and of
  // 3,000 resources, whose medians made 0.84× while the machine changed speed between runs.
  const runs = [
    ...[9677, 14302, 11204].map((r) => run('mock', r)),
    ...[7816, 9442, 14976].map((r) => run('mock-3000', r)),
  ]
  const pair = (ratio: number, blocks: number[]): PairedRatio => ({
    of: 'mock-3000',
    to: 'mock',
    ratio,
    blocks,
    p99Ratio: 1,
    p99Blocks: [1],
  })
  const row = (paired: PairedRatio[]): string =>
    reportLines(runs, paired).find((line) => line.startsWith('| 3,000 resources')) ?? ''

  it('are judged by the ratio taken at the same moment, with the ratio of the rounds beside it', () => {
    expect(row([pair(0.991, [0.98, 1.002])])).toBe(
      '| 3,000 resources ÷ 3 resources, same MOCK route, requests/s | 0.99× (rounds: 0.84×) | ≥ 0.95× | met |',
    )
    expect(row([pair(0.9, [0.9])])).toContain('| **not met** |')
  })

  it('fall back to the ratio of the rounds in a run that did not pair them', () => {
    expect(row([])).toBe(
      '| 3,000 resources ÷ 3 resources, same MOCK route, requests/s | 0.84× | ≥ 0.95× | **not met** |',
    )
  })
})

describe('the targets that compare Tollgate with a yardstick', () => {
  // The rounds of the run of 2026-12-07 15:13 (docs/performance.md): HTTP_PROXY and the minimal
  // Node proxy, whose medians were taken while the machine changed speed between runs.
  const runs = [
    ...[7413, 5329, 3991].map((r, i) => ({ ...run('http-proxy', r), p99: [14.96, 19.09, 34.57][i]! })),
    ...[9542, 8197, 8602].map((r, i) => ({ ...run('node-proxy', r), p99: [10.07, 14.24, 11.2][i]! })),
  ]
  const rows = (paired: Parameters<typeof reportLines>[1]): string[] =>
    reportLines(runs, paired).filter((line) => line.startsWith('| HTTP_PROXY'))

  it('are judged by the ratios taken at the same moment, requests/s and p99 alike', () => {
    const paired: PairedRatio[] = [
      {
        of: 'http-proxy',
        to: 'node-proxy',
        ratio: 0.812,
        blocks: [0.8, 0.812, 0.83],
        p99Ratio: 1.31,
        p99Blocks: [1.2, 1.31, 1.4],
      },
    ]
    expect(rows(paired)).toEqual([
      '| HTTP_PROXY ÷ minimal Node proxy, requests/s | 0.81× (rounds: 0.62×) | ≥ 1× | **not met** |',
      '| HTTP_PROXY ÷ nginx, requests/s | not measured | ≥ 0.5× | not measured |',
      '| HTTP_PROXY p99 ÷ minimal Node proxy p99 | 1.31× (rounds: 1.70×) | ≤ 1.5× | met |',
    ])
  })

  it('fall back to the medians of the rounds in a run that did not pair them', () => {
    expect(rows([])).toEqual([
      '| HTTP_PROXY ÷ minimal Node proxy, requests/s | 0.62× | ≥ 1× | **not met** |',
      '| HTTP_PROXY ÷ nginx, requests/s | not measured | ≥ 0.5× | not measured |',
      '| HTTP_PROXY p99 ÷ minimal Node proxy p99 | 1.70× | ≤ 1.5× | **not met** |',
    ])
  })
})

describe("the servers' CPU used by other work", () => {
  const lines = (runs: Run[]): string[] =>
    reportLines(runs).filter((line) => line.startsWith('| 1 | aws-proxy'))

  it('is given for each run, as a share of the run, where the servers were pinned', () => {
    // A run of 2026-12-07 into which serverless-offline's idle-worker cleanup fell (~0.5 s of CPU).
    expect(lines([{ ...run('aws-proxy', 4796), outsideCpu: 0.112 }])).toEqual([
      '| 1 | aws-proxy | 4796 | 1.00 | 2.00 | 23980 | 0 | 15 | 11.2 |',
    ])
    // With the other server that used most of it, when that was at least 1% of the run.
    expect(
      lines([
        {
          ...run('aws-proxy', 4796),
          outsideCpu: 0.112,
          busiestOther: { name: 'serverless-offline', share: 0.1 },
        },
      ]),
    ).toEqual(['| 1 | aws-proxy | 4796 | 1.00 | 2.00 | 23980 | 0 | 15 | 11.2 (serverless-offline 10.0) |'])
    expect(
      lines([
        { ...run('aws-proxy', 5764), outsideCpu: 0.006, busiestOther: { name: 'nginx', share: 0.002 } },
      ]),
    ).toEqual(['| 1 | aws-proxy | 5764 | 1.00 | 2.00 | 28820 | 0 | 15 | 0.6 |'])
    expect(lines([run('aws-proxy', 5764)])).toEqual([
      '| 1 | aws-proxy | 5764 | 1.00 | 2.00 | 28820 | 0 | 15 | — |',
    ])
  })
})

describe('the CPU time of one CPU', () => {
  it('grows while a process runs on it', async () => {
    const { cpuBusyMicros } = await import('../../bench/all/processes.js')
    const allCpus = (): number | undefined => {
      const each = Array.from({ length: 256 }, (_, i) => cpuBusyMicros(String(i)))
      return each[0] === undefined ? undefined : each.reduce<number>((sum, t) => sum + (t ?? 0), 0)
    }
    const before = allCpus()
    if (before === undefined) {
      // Not Linux: nothing to read, and the bench reports no such column.
      expect(process.platform).not.toBe('linux')
      return
    }
    // This process spins for 300 ms of wall-clock time: some CPU was busy all along, with it or
    // with whatever ran instead of it.
    const until = performance.now() + 300
    while (performance.now() < until) {
      // busy
    }
    expect(allCpus()! - before).toBeGreaterThanOrEqual(250_000)
  })
})
