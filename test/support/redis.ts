import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { pino } from 'pino'
import { afterAll } from 'vitest'
import { Registry } from 'prom-client'
import { RedisLink } from '../../src/redis/redis-link.js'
import { freePort } from './process.js'
import { isListening, REDIS_URL } from './tools.js'

/** A key prefix no other test uses. */
export const redisTestPrefix = (): string => `tollgate-test:${randomBytes(6).toString('hex')}:`

/** A link to the machine's Redis under a fresh prefix; `close()` deletes the prefix's keys. */
export async function testRedisLink(url = REDIS_URL, keyPrefix = redisTestPrefix()): Promise<RedisLink> {
  const link = new RedisLink(url, { log: pino({ level: 'silent' }), registry: new Registry(), keyPrefix })
  await link.connect()
  const close = link.close.bind(link)
  link.close = async () => {
    await deletePrefix(link)
    await close()
  }
  return link
}

/**
 * Makes links to the machine's Redis (a fresh prefix unless one is given), each closed and its
 * keys deleted after the tests of the enclosing `describe`.
 */
export function redisLinks(): (keyPrefix?: string) => Promise<RedisLink> {
  const links: RedisLink[] = []
  afterAll(async () => {
    for (const link of links.splice(0)) await link.close()
  })
  return async (keyPrefix) => {
    const link = await testRedisLink(REDIS_URL, keyPrefix)
    links.push(link)
    return link
  }
}

/** Deletes every key under the link's prefix. */
export async function deletePrefix(link: RedisLink): Promise<void> {
  if (!link.isUp) return
  for await (const keys of link.client.scanStream({ match: `${link.prefix}*`, count: 500 }) as AsyncIterable<
    string[]
  >) {
    if (keys.length) await link.client.unlink(...keys)
  }
}

/**
 * A redis-server of the test's own on a free port of 127.0.0.1, without persistence, that the
 * test may stop and start again (same port) to play an outage.
 */
export class PrivateRedis {
  #child: ChildProcess | undefined
  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  static async start(): Promise<PrivateRedis> {
    const redis = await PrivateRedis.reserve()
    await redis.start()
    return redis
  }

  /** A free port for a server not started yet (`start()` it later). */
  static async reserve(): Promise<PrivateRedis> {
    return new PrivateRedis(await freePort())
  }

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    )
    this.#child = child
    for (let i = 0; i < 100; i++) {
      if (await isListening(this.port)) return
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error(`redis-server did not start on port ${this.port}`)
  }

  /** Kills the server (by its pid) and waits until it is gone. */
  async stop(): Promise<void> {
    const child = this.#child
    this.#child = undefined
    if (!child || child.exitCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
  }
}
