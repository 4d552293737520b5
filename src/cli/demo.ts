import type { Gateway } from '../server.js'

/** Deploys the demo API (filled in by the data-plane work). */
export async function deployDemo(gateway: Gateway): Promise<void> {
  await Promise.resolve()
  gateway.log.info('demo API: not available yet')
}
