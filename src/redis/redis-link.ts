import { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { Counter, Gauge, type Registry } from 'prom-client'

/** A Lua script defined on the connection: called with its keys and arguments, one round trip. */
export type RedisScript = (keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>

/** How long a command may wait for Redis before the caller falls back (policy open) or answers 503. */
const COMMAND_TIMEOUT_MS = 500
const CONNECT_TIMEOUT_MS = 1_000

/**
 * The one connection of a gateway node to the shared Redis, made to fail fast: no offline queue
 * (a command while disconnected is refused at once), one retry, short connect and command
 * timeouts; ioredis reconnects on its own, so the node recovers without a restart. It tells
 * up/down transitions once to the log and keeps `tollgate_redis_up` and
 * `tollgate_redis_failures_total{operation}` current. Holds the TCP connection until `close()`.
 */
export class RedisLink {
  readonly client: Redis
  /** Prepended to every key, so several gateways (or tests) can share one Redis. */
  readonly prefix: string
  readonly #log: Logger
  readonly #failures: Counter<'operation'>
  readonly #up: Gauge
  #isUp = false
  #everUp = false
  #scripts = 0

  constructor(url: string, options: { log: Logger; registry: Registry; keyPrefix: string }) {
    this.prefix = options.keyPrefix
    this.#log = options.log
    this.#failures = registered(options.registry, 'tollgate_redis_failures_total', () => {
      return new Counter({
        name: 'tollgate_redis_failures_total',
        help: 'Shared-state operations that could not use Redis (served by the failure policy)',
        labelNames: ['operation'],
        registers: [options.registry],
      })
    })
    this.#up = registered(options.registry, 'tollgate_redis_up', () => {
      return new Gauge({
        name: 'tollgate_redis_up',
        help: '1 while the connection to the shared Redis is ready, else 0',
        registers: [options.registry],
      })
    })
    this.#up.set(0)
    this.client = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: CONNECT_TIMEOUT_MS,
      commandTimeout: COMMAND_TIMEOUT_MS,
      // Keep trying for ever, at most a second apart.
      retryStrategy: (attempt) => Math.min(50 * attempt, 1_000),
      lazyConnect: true,
    })
    this.client.on('ready', () => this.#mark(true))
    this.client.on('close', () => this.#mark(false))
    // Without a listener an unreachable Redis would crash the process; the transition is logged once.
    this.client.on('error', (error: Error) => {
      if (this.#isUp || !this.#everUp) this.#log.debug({ err: error }, 'redis connection error')
    })
  }

  /** Connects; resolves false if Redis is not ready within the connect timeout (the node starts anyway). */
  async connect(): Promise<boolean> {
    try {
      await this.client.connect()
      return true
    } catch (error) {
      this.#log.warn({ err: error }, 'redis unreachable at start; the failure policy applies until it is')
      return false
    }
  }

  /** Whether commands can be sent now. */
  get isUp(): boolean {
    return this.#isUp && this.client.status === 'ready'
  }

  /** A key under the prefix: `{prefix}{kind}:{id}`. */
  key(kind: string, id: string): string {
    return `${this.prefix}${kind}:${id}`
  }

  /** Defines a Lua script (EVALSHA, loaded on first use) on the connection. */
  script(lua: string): RedisScript {
    const name = `tollgateScript${++this.#scripts}`
    this.client.defineCommand(name, { lua })
    const command = (this.client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[name]
    if (!command) throw new Error(`script ${name} was not defined`)
    return (keys, args) => command.call(this.client, keys.length, ...keys, ...args)
  }

  /** Counts an operation that could not use Redis. */
  failed(operation: string, error?: unknown): void {
    this.#failures.inc({ operation })
    if (error !== undefined) this.#log.debug({ err: error, operation }, 'redis command failed')
  }

  async close(): Promise<void> {
    this.client.removeAllListeners('close')
    try {
      await this.client.quit()
    } catch {
      this.client.disconnect()
    }
    this.#up.set(0)
  }

  #mark(up: boolean): void {
    this.#up.set(up ? 1 : 0)
    if (up === this.#isUp) return
    this.#isUp = up
    if (up) {
      this.#log.info(
        this.#everUp ? 'redis reachable again: shared state restored' : 'redis connected: shared state on',
      )
      this.#everUp = true
    } else this.#log.warn('redis unreachable: the failure policy applies until it is back')
  }
}

/** A metric of the registry, created once (several links can share a registry in tests). */
function registered<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create()
}
