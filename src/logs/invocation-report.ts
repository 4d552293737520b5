/**
 * One Lambda invocation's log as the gateway keeps it: what the function printed, and the figures
 * of the lines Lambda writes around it (START, END, REPORT), which are formatted when read.
 */
export interface InvocationReport {
  readonly requestId: string
  /** What the function and its runtime printed: lines, each ending in `\n` ('' for none). */
  readonly output: string
  readonly durationMs: number
  readonly memoryMb: number
  /** Given where the runtime measured it. */
  readonly maxMemoryMb?: number | undefined
}

export const startLine = (requestId: string): string => `START RequestId: ${requestId} Version: $LATEST`

export const endLine = (requestId: string): string => `END RequestId: ${requestId}`

export function reportLine(report: InvocationReport): string {
  const { requestId, durationMs, memoryMb, maxMemoryMb } = report
  const billed = Math.max(1, Math.ceil(durationMs))
  return `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${billed} ms\tMemory Size: ${memoryMb} MB${maxMemoryMb ? `\tMax Memory Used: ${maxMemoryMb} MB` : ''}`
}

/** The invocation's whole log text, START to REPORT, as Invoke's LogType Tail returns its end. */
export function invocationLog(report: InvocationReport): string {
  return `${startLine(report.requestId)}\n${report.output}${endLine(report.requestId)}\n${reportLine(report)}\n`
}
