/** One execution slot of a function, held for the length of an invocation. */
export interface ConcurrencyLease {
  release(): Promise<void>
}

/**
 * A function's ReservedConcurrentExecutions across every gateway node: an invocation takes a lease
 * before it runs, or is refused (TooManyRequestsException). Each node's environment pools also
 * enforce the limit locally.
 */
export interface ConcurrencyLeases {
  /** Takes one of `limit` slots of a function for at most `leaseMs`; undefined when none is free. */
  acquire(functionName: string, limit: number, leaseMs: number): Promise<ConcurrencyLease | undefined>
  close(): Promise<void>
}

const NO_LEASE: ConcurrencyLease = { release: () => Promise.resolve() }

/** One node: its environment pools are the limit, so every lease is granted. */
export class LocalConcurrencyLeases implements ConcurrencyLeases {
  acquire(_functionName: string, _limit: number, _leaseMs: number): Promise<ConcurrencyLease | undefined> {
    return Promise.resolve(NO_LEASE)
  }

  close(): Promise<void> {
    return Promise.resolve()
  }
}
