/**
 * Work finished in one turn of the event loop, done together: the turn's first item at once, the
 * others in the turn's check phase (`setImmediate`), back to back, in the order they came.
 *
 * The gateway writes its answers through one (src/dataplane/http.ts). Each write to a client's
 * socket wakes the client if it is waiting for data; a client on another CPU (a load generator, a
 * proxy or load balancer in front) is woken by an inter-processor interrupt, which a virtual
 * machine pays for with an exit to its hypervisor. Written as each finished, the answers of a busy
 * turn (under `wrk -c50`: 49 a turn on average for MOCK, 23 for HTTP_PROXY) woke the client once
 * each, with the gateway's own work between the writes; written back to back, the first write
 * wakes it and the others find it awake. A lone item per turn (one client; a Lambda function
 * answering one invocation at a time) is done at once, as before. Measured in docs/performance.md
 * ("answers written together").
 */
export class TurnBatch<T> {
  readonly #run: (item: T) => void
  readonly #failed: (item: T, error: unknown) => void
  #held: T[] = []
  #turnOpen = false

  /**
   * `run` does one item; `failed` is told of an item whose `run` threw (the others are still
   * done).
   */
  constructor(run: (item: T) => void, failed: (item: T, error: unknown) => void) {
    this.#run = run
    this.#failed = failed
  }

  add(item: T): void {
    if (this.#turnOpen) {
      this.#held.push(item)
      return
    }
    this.#turnOpen = true
    setImmediate(this.#endTurn)
    this.#runOne(item)
  }

  /** Does the held items now (before something that must come after them). */
  flush(): void {
    if (this.#held.length === 0) return
    const held = this.#held
    this.#held = []
    for (const item of held) this.#runOne(item)
  }

  readonly #endTurn = (): void => {
    this.#turnOpen = false
    this.flush()
  }

  #runOne(item: T): void {
    try {
      this.#run(item)
    } catch (error) {
      // Inside setImmediate an exception would end the process: whatever `failed` throws goes no
      // further than this item.
      try {
        this.#failed(item, error)
      } catch {
        // Nothing more can be done for this item.
      }
    }
  }
}
