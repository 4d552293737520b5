/**
 * A shared-state operation refused under `--redis-failure-policy closed` while Redis is
 * unreachable: the data plane answers 503, the management and Lambda APIs 503
 * ServiceUnavailableException.
 */
export class SharedStateUnavailable extends Error {
  constructor(
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(`the shared state (Redis) is unreachable: ${operation} refused`, options)
  }
}
