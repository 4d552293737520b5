import { destination } from 'pino'
import type { InvocationContext, OutboundResponse } from '../dataplane/context.js'
import {
  contextVariables,
  lookupContext,
  type ContextSettings,
} from '../dataplane/mapping/context-variables.js'

/**
 * Access logs (AWS docs "set-up-logging", "api-gateway-mapping-template-reference" for the
 * variables): a stage whose `accessLogSettings.format` is set writes one line per request, the
 * format with each `$context.*` variable replaced by its value (`-` when it has none, as AWS
 * prints). AWS's console presets (CLF, JSON, XML, CSV) are formats like any other. Lines go to a
 * file (`--access-log-file`) or stdout, through pino's asynchronous destination.
 */
export class AccessLog {
  readonly #destination: ReturnType<typeof destination>

  constructor(file: string | undefined) {
    this.#destination = destination({ dest: file ?? 1, sync: false, mkdir: true })
  }

  write(
    ctx: InvocationContext,
    response: OutboundResponse,
    latencyMs: number,
    settings: ContextSettings,
  ): void {
    const format = ctx.target.active.stage.accessLogSettings?.format
    if (!format) return
    const vars: Record<string, unknown> = {
      ...contextVariables(ctx, settings),
      status: response.status,
      responseLength: response.body.length,
      responseLatency: Math.round(latencyMs),
      integrationLatency:
        ctx.integrationLatencyMs === undefined ? undefined : Math.round(ctx.integrationLatencyMs),
      integrationStatus: ctx.endpointResponse?.status,
      error: ctx.error
        ? {
            message: ctx.error.message,
            messageString: JSON.stringify(ctx.error.message),
            responseType: ctx.error.type,
          }
        : undefined,
    }
    const line = format.replace(/\$context\.([A-Za-z0-9_.]+[A-Za-z0-9_])/g, (_, path: string) => {
      const value = lookupContext(vars, path)
      if (value === undefined || value === null || value === '') return '-'
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
        return String(value)
      return JSON.stringify(value)
    })
    this.#destination.write(`${line.replace(/\n/g, ' ')}\n`)
  }

  /** Ends the destination once every buffered line is on disk (resolves on its 'close'). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#destination.once('close', () => resolve())
      this.#destination.once('error', () => resolve())
      this.#destination.end()
    })
  }
}
