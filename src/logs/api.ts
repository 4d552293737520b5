import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import { ApiError } from '../controlplane/api-error.js'
import { checkManagementAuth } from '../controlplane/auth.js'
import { parseJsonBody, readBody } from '../controlplane/http.js'
import type { Input } from '../controlplane/input.js'
import type { CredentialStore } from '../auth/credentials.js'
import type { LogEvent, LogGroup, LogGroups } from './log-groups.js'

/** The CloudWatch Logs JSON protocol: `POST /` with `X-Amz-Target: Logs_20140328.<Action>`. */
export const LOGS_TARGET_PREFIX = 'Logs_20140328.'

/** Whether a request is a CloudWatch Logs call (the management API has no `POST /`). */
export function isLogsRequest(method: string | undefined, pathname: string, target: unknown): boolean {
  return (
    method === 'POST' &&
    pathname === '/' &&
    typeof target === 'string' &&
    target.startsWith(LOGS_TARGET_PREFIX)
  )
}

/** The read actions' requests are small (names, times, a pattern). */
const MAX_BODY_BYTES = 1024 * 1024

/** A CloudWatch Logs error: JSON 1.1 shape `{"__type": ..., "message": ...}`. */
class LogsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message)
  }
}

const groupNotFound = () =>
  new LogsError('ResourceNotFoundException', 'The specified log group does not exist.')
const streamNotFound = () =>
  new LogsError('ResourceNotFoundException', 'The specified log stream does not exist.')

export interface LogsDeps {
  logs: LogGroups
  auth: boolean
  credentials: CredentialStore
  region: string
  accountId: string
}

type Action = (body: Input, deps: LogsDeps) => unknown

const ACTIONS: Record<string, Action> = {
  DescribeLogGroups: describeLogGroups,
  DescribeLogStreams: describeLogStreams,
  GetLogEvents: getLogEvents,
  FilterLogEvents: filterLogEvents,
}

/** Serves one CloudWatch Logs call (the read actions Lambda's logs need) from the in-memory groups. */
export async function handleLogsRequest(
  req: IncomingMessage,
  res: ServerResponse,
  deps: LogsDeps,
  log: Logger,
): Promise<void> {
  const requestId = randomUUID()
  try {
    const rawBody = await readBody(req, MAX_BODY_BYTES)
    if (deps.auth)
      checkManagementAuth(
        { method: 'POST', rawUrl: req.url ?? '/', headers: req.headers, body: rawBody },
        deps.credentials,
        deps.region,
        { service: 'logs', isRead: true },
      )
    const target = String(req.headers['x-amz-target'] ?? '')
    const name = target.slice(LOGS_TARGET_PREFIX.length)
    const action = Object.hasOwn(ACTIONS, name) ? ACTIONS[name] : undefined
    if (!action) throw new LogsError('UnknownOperationException', `Tollgate does not serve ${target}`)
    const payload = JSON.stringify(action(parseJsonBody(rawBody), deps))
    res.writeHead(200, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(payload),
      'x-amzn-requestid': requestId,
    })
    res.end(payload)
  } catch (error) {
    const failure =
      error instanceof LogsError
        ? error
        : error instanceof ApiError
          ? new LogsError(error.type, error.message, error.status)
          : new LogsError('ServiceUnavailableException', 'Internal server error', 500)
    if (!(error instanceof LogsError || error instanceof ApiError))
      log.error({ err: error, requestId }, 'CloudWatch Logs call failed')
    const payload = JSON.stringify({ __type: failure.type, message: failure.message })
    res.writeHead(failure.status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(payload),
      'x-amzn-requestid': requestId,
    })
    res.end(payload)
  }
}

function requiredGroup(body: Input, deps: LogsDeps): LogGroup {
  const name = body.string('logGroupName')
  if (!name)
    throw new LogsError(
      'InvalidParameterException',
      'Should provide either logGroupName or logGroupIdentifier.',
    )
  const group = deps.logs.group(name)
  if (!group) throw groupNotFound()
  return group
}

function limitOf(body: Input, max: number): number {
  const limit = body.integer('limit')
  if (limit === undefined) return max
  if (limit < 1 || limit > max)
    throw new LogsError(
      'InvalidParameterException',
      `1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and ${max}`,
    )
  return limit
}

const groupArn = (deps: LogsDeps, name: string) =>
  `arn:aws:logs:${deps.region}:${deps.accountId}:log-group:${name}`

function describeLogGroups(body: Input, deps: LogsDeps): unknown {
  const limit = limitOf(body, 50)
  const groups = deps.logs.groups(body.string('logGroupNamePrefix') ?? '').slice(0, limit)
  return {
    logGroups: groups.map((g) => ({
      logGroupName: g.logGroupName,
      creationTime: g.creationTime,
      metricFilterCount: 0,
      arn: `${groupArn(deps, g.logGroupName)}:*`,
      logGroupArn: groupArn(deps, g.logGroupName),
      storedBytes: 0,
      logGroupClass: 'STANDARD',
    })),
  }
}

function describeLogStreams(body: Input, deps: LogsDeps): unknown {
  const group = requiredGroup(body, deps)
  const limit = limitOf(body, 50)
  const byTime = body.string('orderBy') === 'LastEventTime'
  const prefix = body.string('logStreamNamePrefix') ?? ''
  if (byTime && prefix)
    throw new LogsError(
      'InvalidParameterException',
      'Cannot order by LastEventTime with a logStreamNamePrefix.',
    )
  const streams = [...group.streams.values()]
    .filter((s) => s.logStreamName.startsWith(prefix))
    .sort((a, b) =>
      byTime
        ? a.lastEventTimestamp - b.lastEventTimestamp
        : a.logStreamName < b.logStreamName
          ? -1
          : a.logStreamName > b.logStreamName
            ? 1
            : 0,
    )
  if (body.boolean('descending')) streams.reverse()
  return {
    logStreams: streams.slice(0, limit).map((s) => ({
      ...s,
      arn: `${groupArn(deps, group.logGroupName)}:log-stream:${s.logStreamName}`,
    })),
  }
}

/** `f/<seq>` reads on after event seq, `b/<seq>` before it (AWS's tokens are opaque; these are ours). */
function parseToken(token: string | undefined): { forward: boolean; seq: number } | undefined {
  const match = token === undefined ? null : /^([fb])\/(\d+)$/.exec(token)
  if (!match) {
    if (token !== undefined)
      throw new LogsError('InvalidParameterException', 'The specified nextToken is invalid.')
    return undefined
  }
  return { forward: match[1] === 'f', seq: Number(match[2]) }
}

function inTime(body: Input): (e: LogEvent) => boolean {
  const start = body.integer('startTime')
  const end = body.integer('endTime')
  // AWS: startTime inclusive, endTime exclusive (API reference, GetLogEvents and FilterLogEvents).
  return (e) => (start === undefined || e.timestamp >= start) && (end === undefined || e.timestamp < end)
}

function getLogEvents(body: Input, deps: LogsDeps): unknown {
  const group = requiredGroup(body, deps)
  const streamName = body.string('logStreamName')
  if (!streamName || !group.streams.has(streamName)) throw streamNotFound()
  const limit = limitOf(body, 10_000)
  const token = parseToken(body.string('nextToken'))
  const timely = inTime(body)
  let events = group.invocations.read((name) => name === streamName).filter(timely)
  if (token) events = events.filter((e) => (token.forward ? e.seq > token.seq : e.seq < token.seq))
  // Without a token the newest events come back unless startFromHead is set.
  const fromHead = token ? token.forward : body.boolean('startFromHead') === true
  const page = fromHead ? events.slice(0, limit) : events.slice(-limit)
  const first = page[0]
  const last = page.at(-1)
  // At the end of the stream AWS hands back the token it was given.
  const given = body.string('nextToken')
  return {
    events: page.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
    nextForwardToken: last ? `f/${last.seq}` : (given ?? `f/${group.invocations.latestSeq()}`),
    nextBackwardToken: first ? `b/${first.seq}` : (given ?? `b/${group.invocations.latestSeq() + 1}`),
  }
}

/**
 * AWS's filter pattern for unstructured events, in its simple forms: terms separated by spaces
 * must all occur; a quoted term is matched as one phrase. Matching is case-sensitive.
 */
export function matchesPattern(pattern: string | undefined): (message: string) => boolean {
  const terms = [...(pattern ?? '').matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) =>
    m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? ''),
  )
  return (message) => terms.every((term) => message.includes(term))
}

function filterLogEvents(body: Input, deps: LogsDeps): unknown {
  const group = requiredGroup(body, deps)
  const limit = limitOf(body, 10_000)
  const streams = body.stringList('logStreamNames')
  const prefix = body.string('logStreamNamePrefix')
  const offset = filterOffset(body.string('nextToken'))
  const timely = inTime(body)
  const matches = matchesPattern(body.string('filterPattern'))
  const inStreams = (name: string) =>
    (!streams || streams.includes(name)) && (prefix === undefined || name.startsWith(prefix))
  const found = group.invocations
    .read(inStreams)
    .filter((e) => timely(e) && matches(e.message))
    .sort((a, b) => a.timestamp - b.timestamp || a.seq - b.seq)
  const page = found.slice(offset, offset + limit)
  return {
    events: page.map((e) => ({
      logStreamName: e.logStreamName,
      timestamp: e.timestamp,
      message: e.message,
      ingestionTime: e.ingestionTime,
      eventId: String(e.seq).padStart(56, '0'),
    })),
    searchedLogStreams: [...group.streams.keys()]
      .filter(inStreams)
      .map((logStreamName) => ({ logStreamName, searchedCompletely: true })),
    ...(found.length > offset + limit ? { nextToken: `n/${offset + limit}` } : {}),
  }
}

/** FilterLogEvents' token: `n/<count>` skips the events already returned. */
function filterOffset(token: string | undefined): number {
  if (token === undefined) return 0
  const match = /^n\/(\d+)$/.exec(token)
  if (!match) throw new LogsError('InvalidParameterException', 'The specified nextToken is invalid.')
  return Number(match[1])
}
