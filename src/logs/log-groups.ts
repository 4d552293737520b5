import { endLine, reportLine, startLine, type InvocationReport } from './invocation-report.js'

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
  /** Its invocations, oldest first; at most `eventsPerGroup` events in all. */
  invocations: InvocationRing
}

export interface LogGroupLimits {
  /** Events kept per group at most (the oldest invocations are dropped first, whole). */
  eventsPerGroup: number
  /** Streams kept per group (the one with the oldest last event is dropped first, with its events). */
  streamsPerGroup: number
  /** Characters of function output kept per group, so a function printing huge lines cannot hold the heap. */
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

/** Non-empty lines of `text`: one event each. */
function countLines(text: string): number {
  let count = 0
  for (let from = 0; from < text.length;) {
    let end = text.indexOf('\n', from)
    if (end === -1) end = text.length
    if (end > from) count++
    from = end + 1
  }
  return count
}

// The figures an invocation keeps, one slot each in `InvocationRing.#figures`.
const STARTED = 0
const FINISHED = 1
const INGESTED = 2
const DURATION = 3
const MEMORY = 4
const MAX_MEMORY = 5
const SEQ = 6
const EVENTS = 7
const FIGURES = 8

/**
 * A group's invocations, oldest first, in a ring of parallel arrays. An invocation is written at
 * every Lambda call and kept until a thousand newer events push it out: under AWS_PROXY load that
 * is long enough for the young generation to promote whatever it holds. Kept as objects (an event
 * per line, three or more per invocation) they drove the gateway's RSS up ~1.9 MB/s between full
 * collections; here an invocation holds no object of its own, only its request id and output
 * (usually the shared empty string) in two arrays and its figures in a Float64Array, and its
 * events are made when the CloudWatch Logs API reads them (docs/performance.md, "Memory over a
 * long run").
 */
export class InvocationRing {
  #requestIds: string[] = []
  #outputs: string[] = []
  #streams: string[] = []
  #figures = new Float64Array(0)
  #head = 0
  #size = 0
  #events = 0
  #chars = 0

  /** Invocations held. */
  get size(): number {
    return this.#size
  }

  /** Events held in all. */
  get events(): number {
    return this.#events
  }

  /** Output characters held in all. */
  get chars(): number {
    return this.#chars
  }

  get #capacity(): number {
    return this.#requestIds.length
  }

  push(
    stream: string,
    report: InvocationReport,
    started: number,
    finished: number,
    ingested: number,
    seq: number,
  ): number {
    if (this.#size === this.#capacity) this.#grow()
    const slot = (this.#head + this.#size) % this.#capacity
    const count = 3 + countLines(report.output)
    this.#requestIds[slot] = report.requestId
    this.#outputs[slot] = report.output
    this.#streams[slot] = stream
    const at = slot * FIGURES
    const figures = this.#figures
    figures[at + STARTED] = started
    figures[at + FINISHED] = finished
    figures[at + INGESTED] = ingested
    figures[at + DURATION] = report.durationMs
    figures[at + MEMORY] = report.memoryMb
    figures[at + MAX_MEMORY] = report.maxMemoryMb ?? 0
    figures[at + SEQ] = seq
    figures[at + EVENTS] = count
    this.#size++
    this.#events += count
    this.#chars += report.output.length
    return count
  }

  /** Drops the oldest invocation. */
  shift(): void {
    if (this.#size === 0) return
    const slot = this.#head
    this.#events -= this.#figures[slot * FIGURES + EVENTS] ?? 0
    this.#chars -= this.#outputs[slot]?.length ?? 0
    this.#requestIds[slot] = ''
    this.#outputs[slot] = ''
    this.#streams[slot] = ''
    this.#head = (slot + 1) % this.#capacity
    this.#size--
  }

  /** When the newest invocation was stored (undefined for none). */
  lastIngested(): number | undefined {
    if (this.#size === 0) return undefined
    return this.#figures[((this.#head + this.#size - 1) % this.#capacity) * FIGURES + INGESTED]
  }

  /** The seq of the newest event (0 for none). */
  latestSeq(): number {
    if (this.#size === 0) return 0
    const at = ((this.#head + this.#size - 1) % this.#capacity) * FIGURES
    return (this.#figures[at + SEQ] ?? 0) + (this.#figures[at + EVENTS] ?? 1) - 1
  }

  /** Keeps only the invocations of streams `keep` accepts. */
  retain(keep: (stream: string) => boolean): void {
    const kept = new InvocationRing()
    for (let i = 0; i < this.#size; i++) {
      const held = this.#at(i)
      if (keep(held.stream))
        kept.push(held.stream, held.report, held.started, held.finished, held.ingested, held.seq)
    }
    ;[this.#requestIds, this.#outputs, this.#streams, this.#figures] = [
      kept.#requestIds,
      kept.#outputs,
      kept.#streams,
      kept.#figures,
    ]
    ;[this.#head, this.#size, this.#events, this.#chars] = [kept.#head, kept.#size, kept.#events, kept.#chars]
  }

  /** The events of the invocations of streams `inStream` accepts (all without it), oldest first. */
  read(inStream?: (stream: string) => boolean): LogEvent[] {
    const events: LogEvent[] = []
    for (let i = 0; i < this.#size; i++) {
      const {
        stream: logStreamName,
        report,
        started,
        finished,
        ingested: ingestionTime,
        seq: first,
      } = this.#at(i)
      if (inStream && !inStream(logStreamName)) continue
      let seq = first
      const add = (timestamp: number, message: string): void => {
        events.push({ timestamp, ingestionTime, message, logStreamName, seq: seq++ })
      }
      add(started, startLine(report.requestId))
      for (const line of report.output.split('\n')) if (line !== '') add(finished, line)
      add(finished, endLine(report.requestId))
      add(finished, reportLine(report))
    }
    return events
  }

  /** The `i`th invocation held, oldest first, as it was pushed. */
  #at(i: number): {
    stream: string
    report: InvocationReport
    started: number
    finished: number
    ingested: number
    seq: number
  } {
    const slot = (this.#head + i) % this.#capacity
    const at = slot * FIGURES
    const figure = (field: number): number => this.#figures[at + field] ?? 0
    return {
      stream: this.#streams[slot] ?? '',
      report: {
        requestId: this.#requestIds[slot] ?? '',
        output: this.#outputs[slot] ?? '',
        durationMs: figure(DURATION),
        memoryMb: figure(MEMORY),
        maxMemoryMb: figure(MAX_MEMORY),
      },
      started: figure(STARTED),
      finished: figure(FINISHED),
      ingested: figure(INGESTED),
      seq: figure(SEQ),
    }
  }

  #grow(): void {
    const capacity = Math.max(16, this.#capacity * 2)
    const order = (list: string[]): string[] => {
      const next = new Array<string>(capacity).fill('')
      for (let i = 0; i < this.#size; i++) next[i] = list[(this.#head + i) % this.#capacity] ?? ''
      return next
    }
    const figures = new Float64Array(capacity * FIGURES)
    for (let i = 0; i < this.#size; i++) {
      const from = ((this.#head + i) % this.#capacity) * FIGURES
      figures.set(this.#figures.subarray(from, from + FIGURES), i * FIGURES)
    }
    ;[this.#requestIds, this.#outputs, this.#streams] = [
      order(this.#requestIds),
      order(this.#outputs),
      order(this.#streams),
    ]
    this.#figures = figures
    this.#head = 0
  }
}

/**
 * Log groups in memory, each a bounded ring of invocations: what the built-in Lambda service writes
 * for every invocation and the CloudWatch Logs API reads. Nothing is kept across restarts or shared
 * between gateway nodes.
 */
export class LogGroups {
  readonly #groups = new Map<string, LogGroup>()
  readonly #limits: LogGroupLimits
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

  /**
   * Appends one invocation's log to a stream, creating the group and the stream on first use: its
   * START line logged at `started`, a line of output each and END and REPORT at `finished`.
   */
  put(
    groupName: string,
    streamName: string,
    report: InvocationReport,
    started: number,
    finished: number,
    now: number,
  ): void {
    let group = this.#groups.get(groupName)
    if (!group) {
      group = {
        logGroupName: groupName,
        creationTime: now,
        storedBytes: 0,
        streams: new Map(),
        invocations: new InvocationRing(),
      }
      if (this.#groups.size >= this.#limits.groups) this.#dropOldestGroup()
      this.#groups.set(groupName, group)
    }
    let stream = group.streams.get(streamName)
    if (!stream) {
      stream = {
        logStreamName: streamName,
        creationTime: now,
        firstEventTimestamp: started,
        lastEventTimestamp: 0,
        lastIngestionTime: now,
        storedBytes: 0,
      }
      group.streams.set(streamName, stream)
      if (group.streams.size > this.#limits.streamsPerGroup) this.#dropOldestStream(group)
    }
    // A line longer than CloudWatch Logs takes is cut (rare: only then is the output taken apart).
    const kept =
      report.output.length > MAX_MESSAGE_CHARS
        ? {
            ...report,
            output: report.output
              .split('\n')
              .map((line) => line.slice(0, MAX_MESSAGE_CHARS))
              .join('\n'),
          }
        : report
    const ring = group.invocations
    this.#seq += ring.push(streamName, kept, started, finished, now, this.#seq + 1)
    stream.lastEventTimestamp = Math.max(stream.lastEventTimestamp, finished)
    stream.lastIngestionTime = now
    // The oldest invocations go, whole; the newest always stays.
    const { eventsPerGroup, charsPerGroup } = this.#limits
    while (ring.size > 1 && (ring.events > eventsPerGroup || ring.chars > charsPerGroup)) ring.shift()
  }

  /** Drops the group whose last event came in longest ago (a scan, only when a group is created). */
  #dropOldestGroup(): void {
    let oldest: LogGroup | undefined
    let oldestAt = Infinity
    for (const group of this.#groups.values()) {
      const at = group.invocations.lastIngested() ?? group.creationTime
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
    group.invocations.retain((stream) => stream !== name)
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
