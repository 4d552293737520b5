// Lambda invocations read back from their log events (CloudWatch Logs' FilterLogEvents answer):
// each START RequestId … REPORT RequestId run of one stream is one invocation. Pure, so it is
// tested without a browser.

/**
 * @typedef {{ logStreamName?: string, timestamp?: number, message?: string }} LogEvent
 * @typedef {{ requestId: string, stream: string, at: number, durationMs?: number,
 *   billedMs?: number, maxMemoryMb?: number, status: 'Succeeded' | 'Failed' | 'Running',
 *   lines: string[] }} Invocation
 */

const START = /^START RequestId: (\S+)/
const REPORT =
  /^REPORT RequestId: (\S+)\tDuration: ([\d.]+) ms\tBilled Duration: (\d+) ms(?:.*?\tMax Memory Used: (\d+) MB)?/
/** What the runtime logs when an invocation fails (an error thrown or returned, a timeout). */
const FAILURE = /\tERROR\tInvoke Error|Task timed out after|Runtime exited/

/**
 * The invocations in a group's events, newest first.
 * @param {LogEvent[]} events in the order FilterLogEvents answers (by time)
 * @returns {Invocation[]}
 */
export function invocationsFrom(events) {
  /** @type {Map<string, Invocation>} the invocation running in each stream */
  const open = new Map()
  /** @type {Invocation[]} */
  const all = []
  for (const event of events) {
    const stream = event.logStreamName ?? ''
    const message = event.message ?? ''
    const start = START.exec(message)
    if (start) {
      /** @type {Invocation} */
      const invocation = {
        requestId: start[1] ?? '',
        stream,
        at: event.timestamp ?? 0,
        status: 'Running',
        lines: [message],
      }
      open.set(stream, invocation)
      all.push(invocation)
      continue
    }
    const current = open.get(stream)
    if (!current) continue
    current.lines.push(message)
    if (FAILURE.test(message)) current.status = 'Failed'
    const report = REPORT.exec(message)
    if (report && report[1] === current.requestId) {
      current.durationMs = Number(report[2])
      current.billedMs = Number(report[3])
      if (report[4]) current.maxMemoryMb = Number(report[4])
      if (current.status === 'Running') current.status = 'Succeeded'
      open.delete(stream)
    }
  }
  return all.reverse()
}
