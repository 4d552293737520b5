import { describe, expect, it } from 'vitest'
import { LocalConcurrencyLeases } from '../../src/lambda/concurrency.js'
import { RedisConcurrencyLeases } from '../../src/lambda/redis-concurrency.js'
import { redisServer, requireTool } from '../support/tools.js'
import { redisLinks } from '../support/redis.js'

describe('local concurrency leases', () => {
  it('grants every lease: the environment pools are the limit on one node', async () => {
    const leases = new LocalConcurrencyLeases()
    expect(await leases.acquire('fn', 0, 1_000)).toBeDefined()
  })
})

const noRedis = await requireTool(redisServer)
describe.skipIf(noRedis)('Redis concurrency leases', () => {
  const link = redisLinks()

  it('holds a function to its reserved concurrency across nodes, frees on release and on expiry', async () => {
    const first = await link()
    const second = await link(first.prefix)
    const nodeA = new RedisConcurrencyLeases(first)
    const nodeB = new RedisConcurrencyLeases(second)
    const a = await nodeA.acquire('fn', 2, 60_000)
    const b = await nodeB.acquire('fn', 2, 60_000)
    expect(a).toBeDefined()
    expect(b).toBeDefined()
    expect(await nodeA.acquire('fn', 2, 60_000)).toBeUndefined()
    expect(await nodeB.acquire('other', 2, 60_000)).toBeDefined()
    await a?.release()
    const c = await nodeA.acquire('fn', 2, 100)
    expect(c).toBeDefined()
    expect(await nodeB.acquire('fn', 2, 60_000)).toBeUndefined()
    // A lease never released (its node died) comes back once it expires.
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(await nodeB.acquire('fn', 2, 60_000)).toBeDefined()
    expect(await nodeA.acquire('fn', 0, 60_000)).toBeUndefined()
  })
})
