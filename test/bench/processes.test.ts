import { describe, expect, it } from 'vitest'
import {
  cpuByMember,
  pauseProcess,
  resumeProcess,
  startProcess,
  stopProcess,
  treeCpuMicros,
} from '../../bench/all/processes.js'

// `npm run bench` pauses serverless-offline whenever it is not the target loaded: idle, it used
// ~0.5 s of CPU at a time on the servers' CPU, in the other targets' runs (2026-12-07,
// docs/performance.md). A paused process must take no CPU, and run again once resumed.
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const linux = process.platform === 'linux'

describe.runIf(linux)('a paused bench server', () => {
  it('takes no CPU until it is resumed, and is stopped like any other', async () => {
    const spinner = startProcess('spinner', process.execPath, ['-e', 'for (;;) {}'])
    try {
      await sleep(200)
      pauseProcess(spinner)
      await sleep(50)
      const paused = treeCpuMicros(spinner.pid)
      await sleep(400)
      // /proc counts in 10 ms ticks.
      expect(treeCpuMicros(spinner.pid) - paused).toBeLessThanOrEqual(10_000)
      resumeProcess(spinner)
      const resumed = treeCpuMicros(spinner.pid)
      await sleep(400)
      expect(treeCpuMicros(spinner.pid) - resumed).toBeGreaterThanOrEqual(100_000)
      expect([...cpuByMember(spinner.pid).keys()]).toEqual([spinner.pid])
      // A paused process is continued before SIGTERM, so that it ends without waiting for SIGKILL.
      pauseProcess(spinner)
      const stopping = performance.now()
      await stopProcess(spinner, 'SIGTERM', 5_000)
      expect(performance.now() - stopping).toBeLessThan(4_000)
      expect(await spinner.exited).toBe('SIGTERM')
    } finally {
      if (spinner.child.exitCode === null && spinner.child.signalCode === null) spinner.child.kill('SIGKILL')
    }
  })
})
