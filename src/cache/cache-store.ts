import type { Logger } from 'pino'
import type { HeaderEntry } from '../dataplane/request.js'

/** An endpoint response as the stage cache keeps it. */
export interface CachedResponse {
  status: number
  headers: readonly HeaderEntry[]
  body: Buffer
  /** The Lambda errorMessage (or null) integration responses select on. */
  selector?: string | null
}

/**
 * The stage cache: in memory on one node, in Redis for several (the scale-out issue). Entries
 * live under a stage (`{apiId}/{stage}`), each stage within its own memory budget.
 */
export interface CacheStore {
  get(stage: string, key: string): Promise<CachedResponse | undefined>
  /** Keeps an entry for `ttlMs` within the stage's `budgetBytes` (older entries evicted first). */
  set(stage: string, key: string, entry: CachedResponse, ttlMs: number, budgetBytes: number): Promise<void>
  /** FlushStageCache: drops every entry of a stage. */
  flush(stage: string): Promise<void>
  /** The bytes a stage's entries hold (for tests and metrics). */
  size(stage: string): Promise<number>
  close(): Promise<void>
}

/** The bytes an entry costs: its body, its headers, and a fixed overhead. */
export const entrySize = (entry: CachedResponse): number =>
  entry.body.length + entry.headers.reduce((sum, [n, v]) => sum + n.length + v.length, 0) + 64

/**
 * `cacheClusterSize` (GB, AWS's sizes 0.5 to 237) as a memory budget in bytes; `scale` shrinks it
 * for tests and small machines.
 */
export const cacheBudgetBytes = (cacheClusterSize: string | undefined, scale = 1): number =>
  Math.max(1, Math.floor(Number(cacheClusterSize ?? '0.5') * 1024 ** 3 * scale))

/**
 * Empties a stage's cache once the stage is gone or its cache cluster turned off (AWS deletes the
 * cluster then: the stage created or turned on again starts empty). The store change is made
 * already, so a cache that cannot be reached (Redis down) is logged, never thrown: Redis's entries
 * expire on their own.
 */
export async function emptyStageCache(
  cache: CacheStore,
  log: Logger,
  apiId: string,
  stageName: string,
): Promise<void> {
  try {
    await cache.flush(`${apiId}/${stageName}`)
  } catch (error) {
    log.warn({ err: error, apiId, stageName }, 'stage cache not emptied')
  }
}
