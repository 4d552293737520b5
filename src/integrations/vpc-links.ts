import { Socket } from 'node:net'
import type { VpcLink } from '../model/index.js'
import { StoreView, type ConfigReader, type ConfigStore } from '../store/index.js'

/** Whether something accepts a TCP connection at host:port within `timeoutMs` (an NLB's TCP health check). */
export function isListening(port: number, host = '127.0.0.1', timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket()
    const done = (ok: boolean): void => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('error', () => done(false))
    socket.connect(port, host, () => done(true))
  })
}

/** A `host:port` backend's health. */
const tcpCheck = (target: string, timeoutMs: number): Promise<boolean> => {
  const cut = target.lastIndexOf(':')
  return isListening(Number(target.slice(cut + 1)), target.slice(0, cut), timeoutMs)
}

/**
 * What a network load balancer does behind a VPC link on AWS: each link's backends (its target
 * ARN's, from `--vpc-link-targets`) are health-checked with a TCP connect every interval, and
 * requests go round-robin to the healthy ones. Backends start healthy until a check says not.
 */
export class VpcLinkBalancer {
  readonly #links: StoreView<Map<string, VpcLink>>
  readonly #targets: Readonly<Record<string, readonly string[]>>
  readonly #healthy = new Map<string, boolean>()
  readonly #next = new Map<string, number>()
  readonly #timer: NodeJS.Timeout

  constructor(store: ConfigStore, targets: Readonly<Record<string, readonly string[]>>, intervalMs: number) {
    this.#links = new StoreView(
      store,
      async (r: ConfigReader) => new Map((await r.list('vpclink', '')).map((l) => [l.id, l])),
    )
    this.#targets = targets
    this.#timer = setInterval(() => void this.#checkAll(Math.min(intervalMs, 2_000)), intervalMs)
    this.#timer.unref()
  }

  /** A healthy backend (`host:port`) of a link, or undefined when the link is unknown or none is healthy. */
  async pick(linkId: string): Promise<string | undefined> {
    const link = (await this.#links.get()).get(linkId)
    if (!link) return undefined
    const backends = link.targetArns.flatMap((arn) => this.#targets[arn] ?? [])
    const healthy = backends.filter((b) => this.#healthy.get(b) !== false)
    if (healthy.length === 0) return undefined
    const n = this.#next.get(linkId) ?? 0
    this.#next.set(linkId, n + 1)
    return healthy[n % healthy.length]
  }

  close(): void {
    clearInterval(this.#timer)
    this.#links.close()
  }

  async #checkAll(timeoutMs: number): Promise<void> {
    const all = new Set(Object.values(this.#targets).flat())
    await Promise.all([...all].map(async (b) => this.#healthy.set(b, await tcpCheck(b, timeoutMs))))
  }
}
