import fc from 'fast-check'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from 'undici'
import { describe, expect, it } from 'vitest'
import { MANAGEMENT_ROUTES } from '../../src/controlplane/index.js'
import { startTestGateway } from '../support/gateway.js'
import { awsErrorProblem, fuzzSettings, Violations, watchUnhandledRejections } from '../support/fuzz.js'
import { managementRequest, type FuzzRequest } from '../support/fuzz-management-requests.js'
import { buildFixture, checkConsistency, harvest, StoreSnapshots } from '../support/fuzz-management-state.js'

// Property-based fuzzing of every management operation (issue 16). Each generated request goes
// over raw HTTP to a real gateway; every answer must be below 500, every 4XX AWS-shaped, and a
// failed request (or any GET) must leave the store exactly as it was. The gateway's SQLite file
// is read by a second, read-only connection: one query dumps every record, orphans included.
// Rounds start from a fresh gateway and fixture so the store stays small and every family has
// something real to hit.
const { seed, runs } = fuzzSettings(10_400)
const ROUNDS = 4

describe('management API fuzz', () => {
  const rejections = watchUnhandledRejections()

  it(`answers ${runs} generated management requests without a 5XX or a partial write`, async () => {
    const started = Date.now()
    const violations = new Violations()
    const counts = { requests: 0, failed: 0, succeeded: 0, snapshots: 0 }
    const operations = new Set<string>()
    let fixtures = 0
    for (let round = 0; round < ROUNDS; round++) {
      const dataDir = mkdtempSync(join(shmOrTmp(), 'tollgate-fuzz-'))
      const tg = await startTestGateway({ dataDir })
      const http = new Client(tg.url, { headersTimeout: 15_000, bodyTimeout: 15_000 })
      const snapshots = new StoreSnapshots(join(dataDir, 'tollgate.db'))
      try {
        await buildFixture(tg.url, String(++fixtures), true)
        snapshots.refresh()
        let harvested = { dump: snapshots.current(), state: harvest(snapshots.current()) }
        const perRound = Math.ceil(runs / ROUNDS)
        await fc.assert(
          fc.asyncProperty(managementRequest, async (generated) => {
            if (harvested.dump !== snapshots.current()) {
              harvested = { dump: snapshots.current(), state: harvest(snapshots.current()) }
            }
            if (harvested.state.apis.length === 0) {
              // Every API was deleted: a new fixture, so later requests have targets again.
              await buildFixture(tg.url, String(++fixtures), false)
              snapshots.refresh()
              harvested = { dump: snapshots.current(), state: harvest(snapshots.current()) }
            }
            const state = harvested.state
            const request = generated(state)
            operations.add(request.operation)
            const revisionBefore = snapshots.revision()
            const answer = await send(http, request)
            counts.requests++
            if (answer.status >= 400) counts.failed++
            else counts.succeeded++
            const where = describeRequest(request, answer)
            if (answer.status >= 500 || answer.status === 0) {
              violations.add(`${answer.status} on ${request.operation}`, where)
            }
            if (answer.status >= 400) {
              const problem = awsErrorProblem(answer.status, answer.errorType, answer.body)
              if (problem) violations.add(`not AWS-shaped on ${request.operation}: ${problem}`, where)
            }
            if (snapshots.revision() === revisionBefore) return
            if (answer.status >= 400 || request.method === 'GET') {
              const changed = snapshots.changedSince()
              if (changed.length > 0) {
                violations.add(
                  `${request.method === 'GET' ? 'a read' : 'a failed request'} wrote on ${request.operation}`,
                  `${where} changed ${changed.slice(0, 5).join(', ')}`,
                )
              }
            }
            snapshots.refresh()
            counts.snapshots++
          }),
          { seed: seed + round, numRuns: perRound },
        )
        // The gateway still answers, and what it holds is a consistent configuration.
        const health = await fetch(`${tg.url}/_tollgate/health`)
        expect(health.status).toBe(200)
        for (const problem of checkConsistency(snapshots.current())) violations.add(problem, `round ${round}`)
      } finally {
        snapshots.close()
        await http.close()
        await tg.close()
        rmSync(dataDir, { recursive: true, force: true })
      }
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    console.log(
      `management fuzz: seed ${seed}, ${counts.requests} requests over ${operations.size} of ` +
        `${MANAGEMENT_ROUTES.length} operations (${counts.succeeded} succeeded, ${counts.failed} ` +
        `refused, ${counts.snapshots} store snapshots, ${fixtures} fixtures) in ${seconds} s`,
    )
    expect(violations.report()).toEqual([])
    expect(rejections).toEqual([])
    expect(counts.requests).toBeGreaterThanOrEqual(runs)
    // Every operation was reached at least once.
    expect(operations.size).toBe(MANAGEMENT_ROUTES.length)
  }, 300_000)
})

interface Answer {
  status: number
  errorType: string | null
  body: string
}

async function send(http: Client, request: FuzzRequest): Promise<Answer> {
  try {
    const response = await http.request({
      method: request.method,
      path: request.path,
      headers: { 'content-type': request.contentType },
      ...(request.body !== undefined ? { body: request.body } : {}),
    })
    const body = await response.body.text()
    const errorType = response.headers['x-amzn-errortype']
    return { status: response.statusCode, errorType: typeof errorType === 'string' ? errorType : null, body }
  } catch (error) {
    return { status: 0, errorType: null, body: `no answer: ${(error as Error).message}` }
  }
}

function describeRequest(request: FuzzRequest, answer: Answer): string {
  const body = request.body === undefined ? '' : Buffer.from(request.body).toString('utf8').slice(0, 600)
  return `${request.method} ${request.path.slice(0, 300)} ${body} -> ${answer.status} ${answer.body.slice(0, 200)}`
}

function shmOrTmp(): string {
  try {
    rmSync(mkdtempSync('/dev/shm/tollgate-probe-'), { recursive: true })
    return '/dev/shm'
  } catch {
    return tmpdir()
  }
}
