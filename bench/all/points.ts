/**
 * The Tollgate-specific points of `npm run bench`, each measured `rounds` times: start-up with 100
 * deployed APIs, a new deployment of a 300-resource API going live, and memory under a long
 * AWS_PROXY load.
 */
import { performance } from 'node:perf_hooks'
import { join } from 'node:path'
import { call } from '../support.js'
import { firstSuccess, pollingAgent } from './http.js'
import type { Loader, LoadResult } from './loader.js'
import { rssMegabytes, stopProcess } from './processes.js'
import { importAndDeploy, invokeUrl, openApiWithResources, startTollgateAndWait } from './tollgate.js'

/** How many resources each of the 100 APIs has. */
export const RESOURCES_PER_API = 10

/**
 * Prepares a data directory with 100 APIs of RESOURCES_PER_API resources each, every one deployed
 * to stage `v1`, with one gateway; then, `rounds` times, starts a fresh gateway on it and times
 * spawn → the first 2xx from the last API's `/mock`.
 */
export async function startupWithHundredApis(
  cpu: string | undefined,
  tmp: string,
  rounds: number,
): Promise<number[]> {
  const dataDir = join(tmp, 'hundred-apis')
  const preparing = await startTollgateAndWait(cpu, dataDir)
  let lastApi = ''
  try {
    for (let i = 0; i < 100; i++) {
      lastApi = await importAndDeploy(
        preparing.url,
        openApiWithResources(`api-${i}`, RESOURCES_PER_API),
        'v1',
      )
    }
  } finally {
    await stopProcess(preparing.process)
  }
  const samples: number[] = []
  for (let round = 0; round < rounds; round++) {
    const started = await startTollgateAndWait(cpu, dataDir, {
      firstUrl: (base) => invokeUrl(base, lastApi, 'v1', '/mock'),
    })
    samples.push(started.startupMs)
    await stopProcess(started.process)
  }
  return samples
}

/**
 * Imports a 300-resource API into the running gateway and deploys it to stage `live`; then,
 * `rounds` times, changes what `/mock` answers and times POST /deployments → the first answer
 * carrying the change (polled back to back over one keep-alive connection).
 */
export async function deploymentGoingLive(base: string, rounds: number): Promise<number[]> {
  const apiId = await importAndDeploy(base, openApiWithResources('bench-300', 300), 'live')
  const url = invokeUrl(base, apiId, 'live', '/mock')
  await firstSuccess(url, { since: performance.now(), timeoutMs: 10_000 })
  const resources = await call(base, 'GET', `/restapis/${apiId}/resources?limit=500`, undefined)
  const items = resources['item'] as { id: string; path: string }[]
  if (items.length !== 300) throw new Error(`bench-300 has ${items.length} resources, not 300`)
  const mock = items.find((r) => r.path === '/mock')
  if (!mock) throw new Error('bench-300 has no /mock resource')
  const samples: number[] = []
  for (let round = 1; round <= rounds; round++) {
    const marker = `deployment-${round}`
    await call(base, 'PUT', `/restapis/${apiId}/resources/${mock.id}/methods/GET/integration/responses/200`, {
      selectionPattern: '',
      responseTemplates: { 'application/json': `{"ok": true, "marker": "${marker}"}` },
    })
    const since = performance.now()
    await call(base, 'POST', `/restapis/${apiId}/deployments`, { stageName: 'live' })
    samples.push(
      await firstSuccess(url, {
        since,
        timeoutMs: 10_000,
        intervalMs: 0,
        agent: pollingAgent,
        accept: (body) => body.includes(marker),
      }),
    )
  }
  return samples
}

/** RSS sampled once a second during a long load, and what it tells. */
export interface Soak {
  seconds: number
  result: LoadResult
  /**
   * MB of the gateway process and of it with its descendants, and how many descendants (its
   * function environments), per second: a new environment (~70 MB) tells apart from growth.
   */
  samples: { process: number; tree: number; descendants: number }[]
  /** The second after which growth counts (10 s of 60; a sixth of a shorter soak). */
  settledAfter: number
  /**
   * Peak RSS of the last `settledAfter` seconds ÷ peak RSS of the `settledAfter` seconds after the
   * first `settledAfter`, minus 1 (process tree). Peaks of equal windows, not one sample: under load
   * the heap grows and is collected in a sawtooth of a few seconds (198 → 252 → 198 MB every 6 s
   * for the gateway in the run of 2026-12-05 05:34), so a single sample at 10 s said more about
   * where the collector was than about growth.
   */
  growth: number
  /** The earlier reading: largest RSS after `settledAfter` ÷ the one sample at `settledAfter`, minus 1. */
  growthFromOneSample: number
}

/** Loads `url` for `seconds` while reading the server's RSS every second. */
export async function soak(loader: Loader, url: string, pid: number, seconds: number): Promise<Soak> {
  const samples: Soak['samples'] = []
  const timer = setInterval(() => samples.push(rssMegabytes(pid)), 1_000)
  let result: LoadResult
  try {
    result = await loader.run(url, seconds)
  } finally {
    clearInterval(timer)
  }
  const settledAfter = Math.max(1, Math.round(seconds / 6))
  const tree = samples.map((s) => s.tree)
  const first = tree.slice(settledAfter, 2 * settledAfter)
  const last = tree.slice(-settledAfter)
  const growth = tree.length >= 3 * settledAfter ? Math.max(...last) / Math.max(...first) - 1 : Number.NaN
  const base = tree[settledAfter - 1] ?? Number.NaN
  const after = tree.slice(settledAfter)
  const growthFromOneSample = after.length ? Math.max(...after) / base - 1 : Number.NaN
  return { seconds, result, samples, settledAfter, growth, growthFromOneSample }
}
