import { describe, expect, it } from 'vitest'
import type { CachedResponse, CacheStore } from '../../src/cache/cache-store.js'

const BUDGET = 1024 * 1024
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

const entry = (body: Buffer | string, over: Partial<CachedResponse> = {}): CachedResponse => ({
  status: 200,
  headers: [
    ['content-type', 'application/octet-stream'],
    ['x-multi', 'a'],
    ['x-multi', 'b'],
  ],
  body: Buffer.isBuffer(body) ? body : Buffer.from(body),
  ...over,
})

/** What every stage cache does (memory on one node, Redis for several). */
export function cacheStoreContract(name: string, make: () => Promise<CacheStore>): void {
  describe(`CacheStore: ${name}`, () => {
    it('gives back what was stored: status, repeated headers, binary body and selector', async () => {
      const store = await make()
      const body = Buffer.from([0, 1, 2, 255, 254, 10, 13])
      await store.set('api/prod', 'k1', entry(body, { status: 404, selector: null }), 60_000, BUDGET)
      await store.set('api/prod', 'k2', entry('two', { selector: 'boom' }), 60_000, BUDGET)
      await store.set('api/prod', 'k3', entry('three'), 60_000, BUDGET)
      const one = await store.get('api/prod', 'k1')
      expect(one?.status).toBe(404)
      expect(one?.headers).toEqual(entry('').headers)
      expect(one?.body.equals(body)).toBe(true)
      expect(one?.selector).toBeNull()
      expect((await store.get('api/prod', 'k2'))?.selector).toBe('boom')
      expect((await store.get('api/prod', 'k3'))?.selector).toBeUndefined()
      expect(await store.get('api/prod', 'missing')).toBeUndefined()
      expect(await store.get('api/other', 'k1')).toBeUndefined()
      await store.close()
    })

    it('forgets an entry after its TTL', async () => {
      const store = await make()
      await store.set('api/prod', 'short', entry('x'), 60, BUDGET)
      expect(await store.get('api/prod', 'short')).toBeDefined()
      await sleep(150)
      expect(await store.get('api/prod', 'short')).toBeUndefined()
      await store.close()
    })

    it('flushes one stage only, and says how many bytes a stage holds', async () => {
      const store = await make()
      await store.set('api/prod', 'a', entry('aaaa'), 60_000, BUDGET)
      await store.set('api/prod2', 'a', entry('bbbb'), 60_000, BUDGET)
      expect(await store.size('api/prod')).toBeGreaterThan(4)
      await store.flush('api/prod')
      expect(await store.get('api/prod', 'a')).toBeUndefined()
      expect(await store.size('api/prod')).toBe(0)
      expect((await store.get('api/prod2', 'a'))?.body.toString()).toBe('bbbb')
      await store.close()
    })

    it('does not keep an entry larger than the whole budget', async () => {
      const store = await make()
      await store.set('api/prod', 'big', entry(Buffer.alloc(2000)), 60_000, 1000)
      expect(await store.get('api/prod', 'big')).toBeUndefined()
      await store.close()
    })
  })
}
