import { readFile } from 'node:fs/promises'

/** How often a running invocation's memory is read. */
const WATCH_INTERVAL_MS = 50

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
