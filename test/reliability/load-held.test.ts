import { loadavg } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBackend, type TestBackend } from '../support/backend.js'
import { BACKEND_HELLO, createLoadApi } from '../support/load-api.js'
import { memoryKb, offerLoad, percentile, type LoadTarget } from '../support/load.js'
import { killAll, spawnTollgate, type TollgateProcess } from '../support/process.js'

// Load held (issue 16): a fixed rate offered open loop (requests go out when due, answered or
// not) to one method of each kind, each answered 200 with the right body, every one. 10 s a case
// in CI; `npm run soak` runs 60 s (LOAD_SECONDS). The gateway is its own process so its memory is
// read from /proc; the figures are printed, not asserted (they are noisy on a shared machine).
const SECONDS = Number(process.env['LOAD_SECONDS'] ?? 10)
const RATE = Number(process.env['LOAD_RATE'] ?? 200)

describe(`fixed offered load, ${RATE} req/s for ${SECONDS} s per method`, () => {
  let backend: TestBackend | undefined
  let gateway: TollgateProcess
  let targets: Record<string, LoadTarget> = {}
  const rows: string[] = []

  beforeAll(async () => {
    backend = await startBackend((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(BACKEND_HELLO)
    })
    gateway = await spawnTollgate()
    targets = await createLoadApi(gateway.url, backend.url)
    // One request each first: the Lambda function's first environment starts here, not under load.
    for (const target of Object.values(targets)) {
      const response = await fetch(`${gateway.url}${target.path}`, { headers: target.headers ?? {} })
      expect(await response.text()).toBe(target.expectBody)
    }
  })

  afterAll(async () => {
    killAll()
    await backend?.close()
    if (rows.length > 0) {
      const load = loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')
      console.log(
        [
          `load held: ${RATE} req/s for ${SECONDS} s each (load average ${load})`,
          'case | offered | ok | p50 ms | p99 ms | max ms | RSS before → after MB',
          ...rows,
        ].join('\n'),
      )
    }
  })

  for (const key of ['mock', 'proxy', 'lambda', 'keyed']) {
    it(
      `${key}: every request answered 200 with its body`,
      async () => {
        const target = targets[key]!
        const before = memoryKb(gateway.pid).rss
        const [result] = await offerLoad(gateway.url, [target], { rate: RATE, durationMs: SECONDS * 1000 })
        const after = memoryKb(gateway.pid).rss
        const { latencies } = result!
        rows.push(
          [
            target.name,
            result!.offered,
            result!.ok,
            percentile(latencies, 50).toFixed(1),
            percentile(latencies, 99).toFixed(1),
            percentile(latencies, 100).toFixed(1),
            `${(before / 1024).toFixed(0)} → ${(after / 1024).toFixed(0)}`,
          ].join(' | '),
        )
        expect(Object.fromEntries(result!.errors)).toEqual({})
        expect(result!.offered).toBe(RATE * SECONDS)
        expect(result!.ok).toBe(RATE * SECONDS)
      },
      SECONDS * 1000 + 30_000,
    )
  }
})
