import { readFile } from 'node:fs/promises'
import { getPriority, setPriority } from 'node:os'

/** How often a running invocation's memory is read. */
const WATCH_INTERVAL_MS = 50
/**
 * How much nicer than the gateway an execution environment runs (see `lowerPriority`): CFS weights
 * 1024 against 423, so a spinning function sharing a core with the gateway gets ~30% of it. It was
 * +10 (weight 110, ~10%): under an AWS_PROXY load on one core, the gateway then ran until it had
 * nothing left before a warm function got the CPU, so each invocation waited longer and cost more
 * switches: 12-17% more gateway-and-function CPU per request than +4 and +0, in two interleaved
 * runs of 2026-12-06 (docs/performance.md). lambda-faults.test.ts's 50 ms probe bound holds at +4.
 */
const ENVIRONMENT_NICENESS = 4

/** A process's resident set in MB, from /proc (Linux); undefined where it cannot be read. */
export async function residentMb(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(status)
    return match ? Number(match[1]) / 1024 : undefined
  } catch {
    return undefined
  }
}

/**
 * Holds an execution environment's process to its function's MemorySize while it runs an
 * invocation, as Lambda does for the whole environment: reads its resident memory every 50 ms and
 * calls `exceeded` once when it is over `limitMb`. V8's heap limit alone (--max-old-space-size)
 * does not count Buffers and other memory outside the JavaScript heap: a handler filling Buffers
 * would grow until the machine ran out. Returns the function that stops watching. Where /proc
 * cannot be read (not Linux), it stops by itself and only the heap limit applies.
 */
export function watchMemory(pid: number, limitMb: number, exceeded: () => void): () => void {
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  const schedule = (): void => {
    timer = setTimeout(() => void check(), WATCH_INTERVAL_MS)
    timer.unref()
  }
  const check = async (): Promise<void> => {
    const mb = await residentMb(pid)
    if (stopped || mb === undefined) return
    if (mb > limitMb) {
      stopped = true
      exceeded()
      return
    }
    schedule()
  }
  schedule()
  return () => {
    stopped = true
    clearTimeout(timer)
  }
}

/**
 * Runs an execution environment below the gateway's CPU priority: a function spinning in a loop
 * or thrashing its heap takes a whole core, and on a machine with few of them it would otherwise
 * compete on equal terms with the event loop that serves every other request. Where the
 * priority cannot be changed, the environment runs as it is.
 */
export function lowerPriority(pid: number | undefined): void {
  if (pid === undefined) return
  try {
    setPriority(pid, Math.min(19, getPriority() + ENVIRONMENT_NICENESS))
  } catch {
    // Not permitted or not supported: nothing to do.
  }
}
