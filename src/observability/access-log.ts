import { destination } from 'pino'
import { BoundedCache } from '../model/bounded-cache.js'
import type { InvocationContext, OutboundResponse } from '../dataplane/context.js'
import {
  contextVariables,
  lookupContext,
  type ContextSettings,
} from '../dataplane/mapping/context-variables.js'

/** A line holds no line break: one request, one line. */
const oneLine = (text: string): string => (text.includes('\n') ? text.replace(/\n/g, ' ') : text)

function valueText(value: unknown): string {
  if (value === undefined || value === null || value === '') return '-'
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return oneLine(String(value))
  return oneLine(JSON.stringify(value))
}

const BATCH_CHARACTERS = 65_536
const FLUSH_INTERVAL_MS = 500

/**
 * Formats split once into literals and `$context` paths (each split into its parts), instead of a
 * regular expression per line.
 */
const formats = new BoundedCache<string, readonly (string | readonly string[])[]>(1_000)

function compileFormat(format: string): readonly (string | readonly string[])[] {
  return format
    .split(/\$context\.([A-Za-z0-9_.]+[A-Za-z0-9_])/g)
    .map((part, i) => (i % 2 ? part.split('.') : oneLine(part)))
}

/**
 * Access logs (AWS docs "set-up-logging", "api-gateway-mapping-template-reference" for the
 * variables): a stage whose `accessLogSettings.format` is set writes one line per request, the
 * format with each `$context.*` variable replaced by its value (`-` when it has none, as AWS
 * prints). AWS's console presets (CLF, JSON, XML, CSV) are formats like any other. Lines go to a
 * file (`--access-log-file`) or stdout, through pino's asynchronous destination.
 */
export class AccessLog {
  readonly #destination: ReturnType<typeof destination>
  /** Lines not yet handed to the destination, and the timer that hands them over. */
  #pending = ''
  #timer: NodeJS.Timeout | undefined
  /** Set by close(): a request that finishes after the shutdown has nowhere to log. */
  #closed = false

  constructor(file: string | undefined) {
    // Lines are gathered here up to 64 KB, or half a second, per write: one write(2) per line cost
    // the HTTP_PROXY path ~7% of its CPU, and batches of 4 KB still ~2.5% more than of 64 KB
    // (docs/performance.md): each asynchronous write is a hop to libuv's thread pool and back.
    // Gathered here rather than by the destination's own `minLength`: it appends each line to a
    // string and measures that string's byte length on every write, which copies the whole
    // gathered text once per line. Shutdown writes what is gathered; a crash may lose the last
    // half second, as AWS's own delivery to CloudWatch Logs is delayed.
    this.#destination = destination({ dest: file ?? 1, sync: false, mkdir: true })
  }

  write(
    ctx: InvocationContext,
    response: OutboundResponse,
    latencyMs: number,
    settings: ContextSettings,
  ): void {
    const format = ctx.target.active.stage.accessLogSettings?.format
    if (!format || this.#closed) return
    // A fresh object per call: the response's variables go straight in, without a copy.
    const vars = contextVariables(ctx, settings)
    vars['status'] = response.status
    vars['responseLength'] = response.body.length
    vars['responseLatency'] = Math.round(latencyMs)
    vars['integrationLatency'] =
      ctx.integrationLatencyMs === undefined ? undefined : Math.round(ctx.integrationLatencyMs)
    vars['integrationStatus'] = ctx.endpointResponse?.status
    // parts alternate: literal, variable path, literal, ..., literal.
    const parts = formats.get(format, compileFormat)
    let line = parts[0] as string
    for (let i = 1; i < parts.length; i += 2) {
      line += valueText(lookupContext(vars, parts[i] as readonly string[]))
      line += parts[i + 1] as string
    }
    this.#pending += `${line}\n`
    if (this.#pending.length >= BATCH_CHARACTERS) this.#flush()
    else this.#timer ??= setTimeout(() => this.#flush(), FLUSH_INTERVAL_MS).unref()
  }

  #flush(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    if (this.#pending === '') return
    this.#destination.write(this.#pending)
    this.#pending = ''
  }

  /** Ends the destination once every buffered line is on disk (resolves on its 'close'). */
  close(): Promise<void> {
    this.#flush()
    this.#closed = true
    return new Promise((resolve) => {
      this.#destination.once('close', () => resolve())
      this.#destination.once('error', () => resolve())
      this.#destination.end()
    })
  }
}
