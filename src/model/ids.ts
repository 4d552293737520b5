import { randomBytes, randomFillSync } from 'node:crypto'

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789'

/** AWS-like lowercase alphanumeric id (10 chars for APIs and root resources, 6 for the rest). */
export function newId(length: 6 | 10): string {
  const bytes = randomBytes(length)
  let id = ''
  for (const byte of bytes) id += ALPHABET.charAt(byte % ALPHABET.length)
  return id
}

/** Epoch seconds, the JSON timestamp form of the API Gateway API. */
export const nowEpochSeconds = (): number => Math.floor(Date.now() / 1000)

const POOL_BYTES = 8192
let pool = Buffer.alloc(0)
let offset = 0

/**
 * Random bytes for the ids a request carries (trace ids, CloudFront ids, log streams): taken from
 * a pool filled 8 KB at a time, as Node's own randomUUID caches its randomness, because a
 * `randomBytes` call per id cost about 7% of a MOCK request's CPU (profiled 2026-12-04). The
 * bytes are as random; they are not for secrets (keys use `randomBytes` directly).
 */
export function pooledRandomBytes(size: number): Buffer {
  if (size > POOL_BYTES) return randomBytes(size)
  if (offset + size > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES))
    offset = 0
  }
  const bytes = pool.subarray(offset, offset + size)
  offset += size
  return bytes
}
