/** One log event as CloudWatch Logs stores it. */
export interface LogEvent {
  /** Milliseconds since the epoch: when it was logged. */
  timestamp: number
  /** When it was stored. */
  ingestionTime: number
  message: string
  logStreamName: string
  /** Increases with every event of the process: the order of events and the base of paging tokens. */
  seq: number
}

export interface LogStream {
  logStreamName: string
  creationTime: number
  firstEventTimestamp: number
  lastEventTimestamp: number
  lastIngestionTime: number
  storedBytes: number
}

export interface LogGroup {
  logGroupName: string
  creationTime: number
  storedBytes: number
  streams: Map<string, LogStream>
  /** Oldest first; at most `eventsPerGroup` (once that is passed, 7/8 of it: see `put`). */
  events: LogEvent[]
}

export interface LogGroupLimits {
  /** Events kept per group at most (older ones are dropped first, an eighth of the limit at a time). */
  eventsPerGroup: number
  /** Streams kept per group (the one with the oldest last event is dropped first, with its events). */
  streamsPerGroup: number
  /** Message characters kept per group, so a function printing huge lines cannot hold the heap. */
  charsPerGroup: number
  /**
   * Groups kept at most: the one written to longest ago goes when a new one would pass it. Lambda
   * keeps a deleted function's log group, so a suite that creates functions under new names
   * would otherwise add a group per function for as long as the gateway runs.
   */
  groups: number
}

/** CloudWatch Logs refuses events larger than 256 KB; a longer line is cut there. */
const MAX_MESSAGE_CHARS = 256 * 1024

/**
 * Log groups in memory, each a bounded ring of events: what the built-in Lambda service writes for
 * every invocation and the CloudWatch Logs API reads. Nothing is kept across restarts or shared
 * between gateway nodes.
 */
export class LogGroups {
  readonly #groups = new Map<string, LogGroup>()
  readonly #limits: LogGroupLimits
  /** Message characters held per group, kept as events come and go (not summed on every put). */
  readonly #chars = new WeakMap<LogGroup, number>()
  #seq = 0

  constructor(
    limits: LogGroupLimits = {
      eventsPerGroup: 1_000,
      streamsPerGroup: 50,
      charsPerGroup: 8 * 1024 * 1024,
      groups: 1_000,
    },
  ) {
    this.#limits = limits
  }

  /** Appends events to a stream, creating the group and the stream on first use. */
  put(
    groupName: string,
    streamName: string,
    events: readonly { timestamp: number; message: string }[],
    now: number,
  ): void {
    if (events.length === 0) return
    let group = this.#groups.get(groupName)
    if (!group) {
      group = { logGroupName: groupName, creationTime: now, storedBytes: 0, streams: new Map(), events: [] }
      if (this.#groups.size >= this.#limits.groups) this.#dropOldestGroup()
      this.#groups.set(groupName, group)
    }
    let stream = group.streams.get(streamName)
    if (!stream) {
      stream = {
        logStreamName: streamName,
        creationTime: now,
        firstEventTimestamp: events[0]?.timestamp ?? now,
        lastEventTimestamp: 0,
        lastIngestionTime: now,
        storedBytes: 0,
      }
      group.streams.set(streamName, stream)
      if (group.streams.size > this.#limits.streamsPerGroup) this.#dropOldestStream(group)
    }
    let chars = this.#chars.get(group) ?? 0
    for (const event of events) {
      const message = event.message.slice(0, MAX_MESSAGE_CHARS)
      chars += message.length
      group.events.push({
        timestamp: event.timestamp,
        ingestionTime: now,
        message,
        logStreamName: streamName,
        seq: ++this.#seq,
      })
      stream.lastEventTimestamp = Math.max(stream.lastEventTimestamp, event.timestamp)
    }
    stream.lastIngestionTime = now
    const { eventsPerGroup, charsPerGroup } = this.#limits
    // Past the event limit, an eighth of it more goes at once: removing from the front moves every
    // event left, and doing it for each invocation's three events (a group at its limit of 1,000)
    // was ~3% of an AWS_PROXY request's CPU profile (2026-12-06). So a full group holds between
    // 7/8 of the limit and the limit.
    const keep =
      group.events.length > eventsPerGroup ? eventsPerGroup - Math.floor(eventsPerGroup / 8) : eventsPerGroup
    let excess = 0
    while (excess < group.events.length - 1 && (group.events.length - excess > keep || chars > charsPerGroup))
      chars -= group.events[excess++]?.message.length ?? 0
    if (excess > 0) group.events.splice(0, excess)
    this.#chars.set(group, chars)
  }

  /** Drops the group whose last event came in longest ago (a scan, only when a group is created). */
  #dropOldestGroup(): void {
    let oldest: LogGroup | undefined
    let oldestAt = Infinity
    for (const group of this.#groups.values()) {
      const at = group.events.at(-1)?.ingestionTime ?? group.creationTime
      if (at < oldestAt) [oldest, oldestAt] = [group, at]
    }
    if (oldest) this.#groups.delete(oldest.logGroupName)
  }

  #dropOldestStream(group: LogGroup): void {
    let oldest: LogStream | undefined
    for (const stream of group.streams.values())
      if (!oldest || stream.lastIngestionTime < oldest.lastIngestionTime) oldest = stream
    if (!oldest) return
    group.streams.delete(oldest.logStreamName)
    const name = oldest.logStreamName
    group.events = group.events.filter((e) => e.logStreamName !== name)
    this.#chars.set(
      group,
      group.events.reduce((sum, e) => sum + e.message.length, 0),
    )
  }

  /** Groups whose name starts with `prefix`, by name. */
  groups(prefix = ''): LogGroup[] {
    return [...this.#groups.values()]
      .filter((g) => g.logGroupName.startsWith(prefix))
      .sort((a, b) => (a.logGroupName < b.logGroupName ? -1 : a.logGroupName > b.logGroupName ? 1 : 0))
  }

  group(name: string): LogGroup | undefined {
    return this.#groups.get(name)
  }
}

/**
 * The events of one Lambda invocation from its log text: one per line, as Lambda sends them (START
 * when it began, the function's lines and END and REPORT when it finished).
 */
export function invocationEvents(
  log: string,
  started: number,
  finished: number,
): { timestamp: number; message: string }[] {
  return log
    .split('\n')
    .filter((line) => line !== '')
    .map((message) => ({ timestamp: message.startsWith('START RequestId:') ? started : finished, message }))
}
