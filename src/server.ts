import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import type { TollgateConfig } from './config/config.js'
import { handleManagementRequest, MANAGEMENT_ROUTES, ManagementRouter } from './controlplane/index.js'
import { Agent } from 'undici'
import { parseExecuteApiAddress } from './dataplane/address.js'
import { handleDataPlaneRequest } from './dataplane/http.js'
import type { DataPlaneDeps } from './dataplane/stage.js'
import { StageRegistry } from './deployment/stage-registry.js'
import { LambdaService } from './lambda/service.js'
import { ApiKeyRegistry } from './auth/api-keys.js'
import { createLogger } from './observability/logger.js'
import { SqliteConfigStore, type ConfigStore } from './store/index.js'

/** A running gateway: its listener, store and logger. */
export interface Gateway {
  readonly config: TollgateConfig
  readonly store: ConfigStore
  readonly log: Logger
  /** The bound address (the port is the real one when config.port was 0). */
  readonly url: string
  /** Stops accepting connections, lets in-flight requests finish (up to the grace period), closes the store. */
  close(): Promise<void>
}

/** Builds every dependency once, then starts the listener. */
export async function startGateway(
  config: TollgateConfig,
  log: Logger = createLogger(config),
): Promise<Gateway> {
  const store =
    config.dataDir === ':memory:' ? SqliteConfigStore.inMemory() : SqliteConfigStore.open(config.dataDir)
  const router = new ManagementRouter(MANAGEMENT_ROUTES)
  const lambda = new LambdaService(store, config, log)
  const deps = { store, config, lambda }
  const registry = new StageRegistry(store, log)
  const apiKeys = new ApiKeyRegistry(store)
  // One keep-alive pool per process for every HTTP integration.
  const httpDispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 256 })
  const dataPlane: DataPlaneDeps = {
    log,
    accountId: config.accountId,
    region: config.region,
    httpDispatcher,
    lambda,
    enforceLambdaPermissions: config.enforceLambdaPermissions,
    apiKeys,
  }
  let inFlight = 0
  let drained: (() => void) | undefined

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    inFlight++
    res.on('close', () => {
      inFlight--
      if (inFlight === 0) drained?.()
    })
    const rawUrl = req.url ?? '/'
    const address = parseExecuteApiAddress(rawUrl, req.headers.host)
    if (address) {
      handleDataPlaneRequest(req, res, address, registry, dataPlane).catch((error: unknown) => {
        log.error({ err: error }, 'data plane request failed')
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
        res.end('{"message":"Internal server error"}')
      })
      return
    }
    // Management paths never start with `//`; parse them as a path, not as a protocol-relative URL.
    const url = new URL(rawUrl.replace(/^\/+/, '/'), 'http://localhost')
    if (url.pathname === '/_tollgate/health') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ status: 'ok' }))
      return
    }
    void handleManagementRequest(req, res, url, router, deps, log)
  })
  // Slow clients must not hold sockets forever.
  server.headersTimeout = 30_000
  server.requestTimeout = 120_000
  server.keepAliveTimeout = 65_000

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const url = `http://${host}:${address.port}`
  log.info({ url, dataDir: config.dataDir }, 'tollgate listening')

  let closing: Promise<void> | undefined
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      if (inFlight > 0) {
        const allDone = new Promise<void>((resolve) => (drained = resolve))
        const grace = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref())
        await Promise.race([allDone, grace])
      }
      server.closeAllConnections()
      await serverClosed
      registry.close()
      apiKeys.close()
      lambda.close()
      await httpDispatcher.close()
      await store.close()
      log.info('tollgate stopped')
    })())

  return { config, store, log, url, close }
}
