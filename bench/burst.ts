/**
 * `npm run bench:burst -- [--a DIR] [--b DIR]`: a burst of concurrent AWS_PROXY requests to a
 * function with no environment yet, then the load that follows it, on a fresh gateway each time.
 *
 *   npm run bench:burst                                        # the build in dist/
 *   npm run bench:burst -- --a /tmp/dist-before --b dist --starts 5
 *
 * Each start: a fresh `tollgate serve` on the servers' CPU with the bench's main API and function
 * (bench/all/tollgate.ts); `wrk -t1 -cN` on the function's route for 1 s from cold (the burst);
 * then `--runs` loads of `--duration` seconds. Reported per start: how many processes run under the
 * gateway after the burst (its function environments), and for each load the requests/s, the p99
 * and the CPU per request of the gateway and of the processes under it (`/proc`). With two builds
 * their starts alternate (A B A B ...), as they must be compared one after the other: `bench:ab`
 * shares one CPU between two gateways, and the scheduler shares it per process, so a build running
 * more environments would get more of it. This is how the change of 2026-12-07 that serves a
 * burst with one environment instead of two was measured (docs/performance.md).
 */
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { startBackend } from './all/baselines.js'
import { cpuByMember, stopProcess } from './all/processes.js'
import { runWithBuilds } from './all/script.js'
import { configureMainApi, createFunction, invokeUrl, startTollgateAndWait } from './all/tollgate.js'
import { median } from './support.js'

function options() {
  const { values } = parseArgs({
    options: {
      a: { type: 'string', default: fileURLToPath(new URL('../dist', import.meta.url)) },
      b: { type: 'string' },
      starts: { type: 'string', default: '3' },
      runs: { type: 'string', default: '2' },
      duration: { type: 'string', default: '4' },
      connections: { type: 'string', default: '50' },
    },
  })
  const positive = (name: string, text: string): number => {
    const value = Number(text)
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`)
    return value
  }
  return {
    builds: [resolve(values.a), ...(values.b ? [resolve(values.b)] : [])],
    starts: positive('starts', values.starts),
    runs: positive('runs', values.runs),
    duration: positive('duration', values.duration),
    connections: positive('connections', values.connections),
  }
}

/** CPU µs of the gateway process alone and of the processes under it, from a `cpuByMember` reading. */
function split(pid: number, times: Map<number, number>): { gateway: number; under: number } {
  let under = 0
  for (const [member, micros] of times) if (member !== pid) under += micros
  return { gateway: times.get(pid) ?? 0, under }
}

interface Load {
  requestsPerSecond: number
  p99: number
  gatewayMicros: number
  underMicros: number
}

const opts = options()
runWithBuilds('bench:burst', opts.connections, async ({ pinning, loader, temp }) => {
  const loads = new Map<string, Load[]>(opts.builds.map((build) => [build, []]))
  let failures = 0
  const backend = await startBackend(pinning.servers)
  for (let start = 1; start <= opts.starts; start++) {
    for (const [index, build] of opts.builds.entries()) {
      const dataDir = join(temp, `${start}-${index}`)
      const gateway = await startTollgateAndWait(pinning.servers, dataDir, {
        entry: join(build, 'tollgate.cjs'),
        accessLogFile: join(dataDir, 'access.log'),
      })
      const pid = gateway.process.pid
      const url = invokeUrl(gateway.url, await configureMainApi(gateway.url, backend.port), 'live', '/lambda')
      await createFunction(gateway.url)
      const burst = await loader.run(url, 1, {})
      failures += burst.failures
      const processes = cpuByMember(pid).size - 1
      const line = [
        `start ${start} ${index === 0 ? 'A' : 'B'}: burst ${burst.requestsPerSecond.toFixed(0)} requests/s, p99 ${burst.p99.toFixed(1)} ms; ${processes} process(es) under the gateway`,
      ]
      for (let run = 1; run <= opts.runs; run++) {
        const before = split(pid, cpuByMember(pid))
        const result = await loader.run(url, opts.duration, {})
        const after = split(pid, cpuByMember(pid))
        failures += result.failures
        const perRequest = (micros: number): number => micros / Math.max(1, result.requests)
        const load = {
          requestsPerSecond: result.requestsPerSecond,
          p99: result.p99,
          gatewayMicros: perRequest(after.gateway - before.gateway),
          underMicros: perRequest(after.under - before.under),
        }
        loads.get(build)?.push(load)
        line.push(
          `  load ${run}: ${load.requestsPerSecond.toFixed(0)} requests/s, p99 ${load.p99.toFixed(1)} ms, CPU µs per request: gateway ${load.gatewayMicros.toFixed(0)}, under it ${load.underMicros.toFixed(0)}`,
        )
      }
      console.log(line.join('\n'))
      await stopProcess(gateway.process)
    }
  }
  console.log('\nmedians of the loads after the burst:')
  for (const [index, build] of opts.builds.entries()) {
    const of = loads.get(build) ?? []
    const m = (pick: (load: Load) => number): string => median(of.map(pick)).toFixed(0)
    console.log(
      `  ${index === 0 ? 'A' : 'B'} ${build}: ${m((l) => l.requestsPerSecond)} requests/s, CPU µs per request: gateway ${m((l) => l.gatewayMicros)}, under it ${m((l) => l.underMicros)}`,
    )
  }
  if (failures > 0) console.error(`${failures} requests failed or answered non-2xx`)
  return failures > 0 ? 1 : 0
})
