/**
 * Plain node:http requests for polling (start-up, a new deployment going live): no client library
 * to load on the first call, so the first poll costs what the later ones do.
 */
import { Agent, request } from 'node:http'
import { performance } from 'node:perf_hooks'
import { isRunning, type Tracked } from './processes.js'

export interface Answer {
  status: number
  body: string
}

/** A keep-alive agent for tight polling loops against one server. */
export const pollingAgent = new Agent({ keepAlive: true, maxSockets: 1 })

/** GET `url`; rejects on a connection error or after `timeoutMs`. */
export function get(
  url: string,
  options: { headers?: Record<string, string>; timeoutMs?: number; agent?: Agent | false } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { headers: options.headers ?? {}, agent: options.agent ?? false, timeout: options.timeoutMs ?? 2_000 },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
        res.on('error', reject)
      },
    )
    req.on('timeout', () =>
      req.destroy(new Error(`GET ${url}: no answer within ${options.timeoutMs ?? 2_000} ms`)),
    )
    req.on('error', reject)
    req.end()
  })
}

const isSuccess = (status: number): boolean => status >= 200 && status < 300

/**
 * Polls `url` every `intervalMs` until it answers 2xx (and `accept(body)`), and returns the
 * milliseconds since `since` (a `performance.now()` reading). Fails after `timeoutMs`, or as soon
 * as `process` (the server being waited for) has exited, with what it printed.
 */
export async function firstSuccess(
  url: string,
  options: {
    since: number
    timeoutMs: number
    process?: Tracked
    headers?: Record<string, string>
    intervalMs?: number
    agent?: Agent | false
    accept?: (body: string) => boolean
  },
): Promise<number> {
  const deadline = options.since + options.timeoutMs
  let last = 'no answer yet'
  for (;;) {
    if (options.process && !isRunning(options.process)) {
      throw new Error(
        `${options.process.name} exited before ${url} answered 2xx:\n${options.process.output().slice(-3_000)}`,
      )
    }
    try {
      const answer = await get(url, {
        headers: options.headers ?? {},
        timeoutMs: 2_000,
        agent: options.agent ?? false,
      })
      if (isSuccess(answer.status) && (options.accept?.(answer.body) ?? true)) {
        return performance.now() - options.since
      }
      last = `${answer.status} ${answer.body.slice(0, 200)}`
    } catch (error) {
      last = (error as Error).message
    }
    if (performance.now() > deadline) {
      const tail = options.process
        ? `\n${options.process.name} printed:\n${options.process.output().slice(-3_000)}`
        : ''
      throw new Error(
        `${url} did not answer as expected within ${options.timeoutMs} ms (last: ${last})${tail}`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 5))
  }
}
