import type { RedisLink } from '../redis/redis-link.js'
import { entrySize, type CachedResponse, type CacheStore } from './cache-store.js'

/** What precedes the body in a stored entry. */
interface EntryHead {
  status: number
  headers: CachedResponse['headers']
  selector?: string | null
}

/** An entry as one binary string: a 4-byte length, the JSON head, then the body as is. */
function encode(entry: CachedResponse): Buffer {
  const head: EntryHead = {
    status: entry.status,
    headers: entry.headers,
    ...(entry.selector !== undefined ? { selector: entry.selector } : {}),
  }
  const json = Buffer.from(JSON.stringify(head))
  const length = Buffer.alloc(4)
  length.writeUInt32BE(json.length)
  return Buffer.concat([length, json, entry.body])
}

function decode(stored: Buffer): CachedResponse {
  const length = stored.readUInt32BE(0)
  const head = JSON.parse(stored.subarray(4, 4 + length).toString('utf8')) as EntryHead
  return {
    status: head.status,
    headers: head.headers,
    body: Buffer.from(stored.subarray(4 + length)),
    ...(head.selector !== undefined ? { selector: head.selector } : {}),
  }
}

/** Escapes the glob characters of SCAN's MATCH. */
const literal = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&')

/**
 * The stage cache in the shared Redis: an entry filled by one node is a hit on every other. One
 * string per entry (`{prefix}cache:{apiId}/{stage}|{key}`) expiring with its TTL. Redis's own
 * `maxmemory` policy bounds memory; the stage's cacheClusterSize budget only refuses an entry
 * larger than the whole budget. FlushStageCache scans the stage's keys.
 */
export class RedisCacheStore implements CacheStore {
  readonly #link: RedisLink

  constructor(link: RedisLink) {
    this.#link = link
  }

  async get(stage: string, key: string): Promise<CachedResponse | undefined> {
    const stored = await this.#link.client.getBuffer(this.#key(stage, key))
    return stored ? decode(stored) : undefined
  }

  async set(
    stage: string,
    key: string,
    entry: CachedResponse,
    ttlMs: number,
    budgetBytes: number,
  ): Promise<void> {
    if (entrySize(entry) > budgetBytes || ttlMs <= 0) return
    await this.#link.client.set(this.#key(stage, key), encode(entry), 'PX', Math.ceil(ttlMs))
  }

  async flush(stage: string): Promise<void> {
    for await (const keys of this.#scan(stage)) if (keys.length) await this.#link.client.unlink(...keys)
  }

  async size(stage: string): Promise<number> {
    let bytes = 0
    for await (const keys of this.#scan(stage)) {
      for (const key of keys) bytes += await this.#link.client.strlen(key)
    }
    return bytes
  }

  close(): Promise<void> {
    return Promise.resolve()
  }

  #key(stage: string, key: string): string {
    return this.#link.key('cache', `${stage}|${key}`)
  }

  #scan(stage: string): AsyncIterable<string[]> {
    return this.#link.client.scanStream({ match: `${literal(this.#key(stage, ''))}*`, count: 500 })
  }
}
