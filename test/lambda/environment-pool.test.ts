import { once } from 'node:events'
import { createServer, connect, type Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import {
  EnvironmentPool,
  type Acquired,
  type Environment,
  type NotAcquired,
} from '../../src/lambda/environment-pool.js'

/** A stand-in environment: its init ends when the test says so. */
class FakeEnvironment {
  isAlive = true
  isBusy = false
  /** Whether it takes an invocation queued behind its running one (ExecutionEnvironment's `canQueue`). */
  queueable = false
  lastUsed = Date.now()
  readonly initialised: Promise<void>
  finishInit: () => void = () => undefined
  constructor(readonly id: number) {
    this.initialised = new Promise((resolve) => (this.finishInit = resolve))
  }
  /** Takes up to three at once when queueable (ExecutionEnvironment's QUEUE_DEPTH is larger). */
  canQueue(claims: number): boolean {
    return this.queueable && claims < 3
  }
  dispose(): void {
    this.isAlive = false
    this.finishInit()
  }
}

/**
 * A pool whose busy and starting environments get no time to become free before another starts,
 * unless told.
 */
function harness(maxStarts: number, scaleOutWaitMs = 0, startingWaitMs = 0) {
  const pool = new EnvironmentPool('rev', maxStarts, scaleOutWaitMs, startingWaitMs)
  const started: FakeEnvironment[] = []
  const start = (): Environment => {
    const environment = new FakeEnvironment(started.length + 1)
    started.push(environment)
    return environment as unknown as Environment
  }
  const acquire = (limit = 100) => pool.acquire(limit, start)
  return { pool, started, acquire }
}

const settle = () => new Promise((resolve) => setImmediate(resolve))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
/** Holds the event loop for `ms`, as a long garbage collection or a descheduled process would. */
function stall(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) {
    // busy
  }
}

/** A connected pair of loopback sockets: what one writes, the other reads in the poll phase. */
async function socketPair(): Promise<{ near: Socket; far: Socket; close: () => void }> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  const accepted = once(server, 'connection') as Promise<[Socket]>
  const near = connect(port, '127.0.0.1')
  await once(near, 'connect')
  const [far] = await accepted
  return {
    near,
    far,
    close: () => {
      near.destroy()
      far.destroy()
      server.close()
    },
  }
}
const id = (acquired: Acquired | NotAcquired): number | NotAcquired =>
  typeof acquired === 'string' ? acquired : (acquired.environment as unknown as FakeEnvironment).id

describe('EnvironmentPool', () => {
  it('starts at most maxStarts environments at once; the others wait', () => {
    const { pool, started, acquire } = harness(2)
    const first = acquire()
    const second = acquire()
    const third = acquire()
    expect(first).toMatchObject({ coldStart: true })
    expect(second).toMatchObject({ coldStart: true })
    expect(third).toBeInstanceOf(Promise)
    expect(started).toHaveLength(2)
    expect(pool.startingCount).toBe(2)
    expect(pool.waitingCount).toBe(1)
  })

  it('hands a waiting invocation a new environment as soon as one finishes starting', async () => {
    const { pool, started, acquire } = harness(2)
    void acquire()
    void acquire()
    const third = acquire()
    started[0]?.finishInit()
    await settle()
    expect(id(await third)).toBe(3)
    expect(pool.startingCount).toBe(2)
    expect(pool.waitingCount).toBe(0)
  })

  it('hands a waiting invocation the first environment that becomes free, warm', async () => {
    const { pool, started, acquire } = harness(2)
    const first = acquire() as Acquired
    void acquire()
    const third = acquire()
    // The first environment's invocation ends (its init had ended with it) before either start.
    pool.release(first.environment)
    const granted = await third
    expect(granted).toMatchObject({ coldStart: false })
    expect(id(granted)).toBe(1)
    expect(started).toHaveLength(2)
  })

  it('serves waiting invocations in order, and none jumps the queue', async () => {
    const { pool, started, acquire } = harness(1)
    const first = acquire() as Acquired
    const order: number[] = []
    const waiting = [acquire(), acquire(), acquire()].map((p, i) =>
      Promise.resolve(p).then((a) => {
        order.push(i)
        return a
      }),
    )
    started[0]?.finishInit()
    await settle()
    // The second start is under way: a newcomer waits behind the three.
    expect(pool.waitingCount).toBe(2)
    expect(acquire()).toBeInstanceOf(Promise)
    pool.release(first.environment)
    await settle()
    started[1]?.finishInit()
    await settle()
    expect(order.slice(0, 3)).toEqual([0, 1, 2])
    await Promise.all(waiting)
  })

  it('throttles exactly as without the cap: environments plus waiting invocations reach the limit', () => {
    const { acquire } = harness(2)
    expect(acquire(3)).toMatchObject({ coldStart: true })
    expect(acquire(3)).toMatchObject({ coldStart: true })
    expect(acquire(3)).toBeInstanceOf(Promise)
    expect(acquire(3)).toBe('throttled')
  })

  it('throttles at the limit when nothing is starting (reserved concurrency 1)', () => {
    const { started, acquire } = harness(2)
    expect(acquire(1)).toMatchObject({ coldStart: true })
    started[0]?.finishInit()
    expect(acquire(1)).toBe('throttled')
  })

  it('lets a busy environment become free before starting another, for scaleOutWaitMs', async () => {
    const { pool, started, acquire } = harness(2, 40)
    const first = acquire() as Acquired
    expect(first).toMatchObject({ coldStart: true })
    started[0]?.finishInit()
    // Busy: the next invocation waits instead of starting a second environment at once.
    const second = acquire()
    expect(second).toBeInstanceOf(Promise)
    expect(started).toHaveLength(1)
    pool.release(first.environment)
    expect(id(await second)).toBe(1)
    expect(started).toHaveLength(1)
    // Still busy after the wait: a second environment starts for the one waiting.
    const third = acquire()
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(started).toHaveLength(2)
    expect(id(await third)).toBe(2)
    expect(pool.waitingCount).toBe(0)
  })

  it('lets a starting environment finish its init before starting another, for startingWaitMs', async () => {
    const { pool, started, acquire } = harness(2, 10, 300)
    const first = acquire() as Acquired
    expect(first).toMatchObject({ coldStart: true })
    // A burst: past the scale-out wait, but the first environment has not been starting for 300 ms.
    const [next, afterNext] = [acquire(), acquire(), acquire()]
    await sleep(50)
    expect(started).toHaveLength(1)
    // Its init ends: the waiting invocations run in it, one after the other.
    started[0]?.finishInit()
    pool.release(first.environment)
    const second = (await next) as Acquired
    expect(second).toMatchObject({ coldStart: false })
    expect(id(second)).toBe(1)
    pool.release(second.environment)
    expect(id(await afterNext)).toBe(1)
    expect(started).toHaveLength(1)
  })

  it("counts the scale-out wait of a new environment's first invocation from the end of its init", async () => {
    const { pool, started, acquire } = harness(2, 100, 300)
    const first = acquire() as Acquired
    const second = acquire()
    // The init takes longer than the scale-out wait, not than startingWaitMs.
    await sleep(150)
    started[0]?.finishInit()
    await settle()
    await sleep(30)
    expect(started).toHaveLength(1)
    pool.release(first.environment)
    expect(id(await second)).toBe(1)
    expect(started).toHaveLength(1)
  })

  it('starts another environment when a starting one takes longer than startingWaitMs', async () => {
    const { started, acquire } = harness(2, 10, 200)
    void acquire()
    const second = acquire()
    await sleep(50)
    expect(started).toHaveLength(1)
    await sleep(250)
    expect(started).toHaveLength(2)
    expect(second).toBeInstanceOf(Promise)
    started[1]?.finishInit()
    expect(id(await second)).toBe(2)
  })

  it('reads the answers that arrived during a stall before starting another environment', async () => {
    const { pool, started, acquire } = harness(2, 200)
    const first = acquire() as Acquired
    started[0]?.finishInit()
    await settle()
    const second = acquire()
    expect(second).toBeInstanceOf(Promise)
    // The environment answers (as an execution environment does, over a pipe) while this process
    // is stalled past the scale-out wait, though by less than half of it: the timer and the
    // answer are due at once, and timers run before the loop reads sockets.
    const { near, far, close } = await socketPair()
    try {
      near.once('data', () => pool.release(first.environment))
      far.write('x')
      stall(260)
      expect(id(await second)).toBe(1)
      await sleep(20)
      expect(started).toHaveLength(1)
    } finally {
      close()
    }
  })

  it('restarts the scale-out wait after a stall of its own, then scales out', async () => {
    const { started, acquire } = harness(2, 200)
    void acquire()
    started[0]?.finishInit()
    await settle()
    const second = acquire()
    // Nothing answers, and the timer fires 200 ms late: the busy environment gets its 200 ms of
    // this process's running time again before a second one starts.
    stall(400)
    await sleep(30)
    expect(started).toHaveLength(1)
    expect(id(await second)).toBe(2)
    expect(started).toHaveLength(2)
  })

  it('sends waiting invocations to the current pool when it is retired', async () => {
    const { pool, acquire } = harness(1)
    void acquire()
    const waiting = acquire()
    pool.retire()
    expect(await waiting).toBe('retired')
    expect(acquire()).toBe('retired')
  })
})

describe('EnvironmentPool: invocations queued in a running environment', () => {
  it('queues invocations behind a running environment up to what it takes, counting them toward the concurrency', async () => {
    const { pool, started, acquire } = harness(2, 50)
    const one = acquire(3) as Acquired
    started[0]?.finishInit()
    await settle()
    if (started[0]) started[0].queueable = true
    const two = acquire(3) as Acquired
    const three = acquire(3) as Acquired
    expect(id(two)).toBe(1)
    expect(id(three)).toBe(1)
    expect(two).toMatchObject({ coldStart: false })
    // One running, two queued: a limit of 3 is reached.
    expect(acquire(3)).toBe('throttled')
    expect(pool.waitingCount).toBe(0)
    // Each release frees a place: the next is queued behind the same environment again.
    pool.release(one.environment)
    expect(id(acquire(3) as Acquired)).toBe(1)
    expect(started).toHaveLength(1)
  })

  it('serves an invocation given back unrun before those that came after it, without throttling it again', async () => {
    const { pool, started, acquire } = harness(2, 50)
    const first = acquire(2) as Acquired
    started[0]?.finishInit()
    await settle()
    const cameEarlier = performance.now()
    await sleep(2)
    const later = acquire(2)
    expect(later).toBeInstanceOf(Promise)
    // The limit of 2 is reached (one environment, one waiting): a new invocation is throttled,
    // one given back is not, and it goes first.
    expect(acquire(2)).toBe('throttled')
    const givenBack = pool.acquire(
      2,
      () => {
        throw new Error('no start expected')
      },
      cameEarlier,
    )
    expect(givenBack).toBeInstanceOf(Promise)
    expect(pool.waitingCount).toBe(2)
    pool.release(first.environment)
    expect(id(await givenBack)).toBe(1)
    expect(pool.waitingCount).toBe(1)
    void later
  })
})
