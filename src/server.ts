import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { BlockList, isIP, type AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import type { TollgateConfig } from './config/config.js'
import { handleManagementRequest, MANAGEMENT_ROUTES, ManagementRouter } from './controlplane/index.js'
import { parseExecuteApiAddress, safeDecode, type ExecuteApiAddress } from './dataplane/address.js'
import { DomainRegistry } from './dataplane/domains.js'
import { ApiEndpoints } from './dataplane/api-endpoints.js'
import { VpcLinkBalancer } from './integrations/vpc-links.js'
import { BackendTls } from './integrations/backend-tls.js'
import { GatewayMetrics } from './observability/metrics.js'
import { AccessLog } from './observability/access-log.js'
import { ExecutionLogs } from './observability/execution-log.js'
import { clientCertOf, createTlsListener } from './dataplane/tls.js'
import { handleDataPlaneRequest, type Listener } from './dataplane/http.js'
import { answerClientError } from './dataplane/client-error.js'
import { isClosing, MAX_HEAD_BYTES, malformedRequest, refuseConnection } from './dataplane/request-line.js'
import type { DataPlaneDeps } from './dataplane/stage.js'
import { emptyStageCache } from './cache/cache-store.js'
import { StageRegistry } from './deployment/stage-registry.js'
import { LambdaService } from './lambda/service.js'
import { ApiKeyRegistry } from './auth/api-keys.js'
import { CredentialStore } from './auth/credentials.js'
import { createLogger } from './observability/logger.js'
import { createSharedState } from './shared-state.js'
import { isConsolePath, serveConsole } from './console/static-files.js'
import { LogGroups } from './logs/log-groups.js'
import { handleLogsRequest, isLogsRequest } from './logs/api.js'
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
  const store = await openStore(config, log)
  const router = new ManagementRouter(MANAGEMENT_ROUTES)
  const lambda = new LambdaService(store, config, log)
  const credentials = CredentialStore.load(config.credentialsFile, config.accountId)
  const apiKeys = new ApiKeyRegistry(store)
  const domains = new DomainRegistry(store)
  const apiEndpoints = new ApiEndpoints(store)
  const backendTls = new BackendTls(store)
  const metrics = new GatewayMetrics()
  lambda.observer = metrics.lambdaObserver()
  // Every invocation's log, for the CloudWatch Logs API (this node's, in memory).
  const logGroups = new LogGroups()
  lambda.logs = logGroups
  // Throttling, quotas, caches and Lambda concurrency: this process's, or Redis's with --redis.
  const shared = await createSharedState(config, log, metrics.registry)
  const { usage, cache: stageCache } = shared
  lambda.concurrency = shared.concurrency
  const accessLog = new AccessLog(config.accessLogFile)
  const executionLogs = new ExecutionLogs()
  const registry = new StageRegistry(store, log, {
    revalidateMs: config.stageRevalidateMs,
    onStageGone: (apiId, stageName) => {
      metrics.forgetStage(apiId, stageName)
      executionLogs.forgetStage(apiId, stageName)
      void emptyStageCache(stageCache, log, apiId, stageName)
    },
  })
  const vpcLinks = new VpcLinkBalancer(store, config.vpcLinkTargets, config.vpcLinkHealthIntervalMs)
  // The OpenTelemetry SDK is loaded only when spans have somewhere to go.
  const tracing = config.otlpEndpoint
    ? new (await import('./observability/tracing.js')).GatewayTracing(config.otlpEndpoint, config)
    : undefined
  const dataPlane: DataPlaneDeps = {
    log,
    accountId: config.accountId,
    region: config.region,
    lambda,
    enforceLambdaPermissions: config.enforceLambdaPermissions,
    apiKeys,
    throttle: shared.throttle,
    accountThrottle: { rate: config.accountRateLimit, burst: config.accountBurstLimit },
    usage,
    cognitoIssuerBase: config.cognitoIssuerBase,
    cognitoClientIds: config.cognitoClientIds,
    credentials,
    cache: stageCache,
    authorizerCache: shared.authorizerCache,
    cacheMemoryScale: config.cacheMemoryScale,
    edgeViewerCountry: config.edgeViewerCountry,
    apiEndpoints,
    vpcLinks,
    backendTls,
    metrics,
    tracing,
    accessLog,
    executionLogs,
    awsEndpointUrl: config.awsEndpointUrl,
    awsServiceEndpoints: config.awsServiceEndpoints,
    awsCredentials: {
      accessKeyId: config.awsAccessKeyId ?? 'test',
      secretAccessKey: config.awsSecretAccessKey ?? 'test',
      ...(config.awsSessionToken ? { sessionToken: config.awsSessionToken } : {}),
    },
  }
  const deps = { store, config, lambda, usage, credentials, cache: stageCache, dataPlane }
  const logsDeps = {
    logs: logGroups,
    auth: config.auth,
    credentials,
    region: config.region,
    accountId: config.accountId,
  }
  /**
   * What a load balancer asks before sending requests: can this node reach what it shares? Redis
   * is reported when configured; it decides readiness under the closed policy only (under the
   * open one the node serves with its own limits while Redis is away).
   */
  const readiness = async (): Promise<{ ready: boolean; checks: Record<string, boolean> }> => {
    const checks: Record<string, boolean> = { store: await store.ping() }
    if (shared.redis) checks['redis'] = shared.redis.isUp
    const ready =
      checks['store'] === true && (checks['redis'] !== false || config.redisFailurePolicy === 'open')
    return { ready, checks }
  }
  let inFlight = 0
  let drained: (() => void) | undefined

  /**
   * One handler for every listener: the public one serves the management API and the data plane;
   * a VPC endpoint's serves the data plane only (it also honours `x-apigw-api-id`).
   */
  const serveDataPlane = (
    req: IncomingMessage,
    res: ServerResponse,
    address: ExecuteApiAddress,
    listener: Listener,
  ): void => {
    handleDataPlaneRequest(req, res, address, registry, dataPlane, listener).catch((error: unknown) => {
      log.error({ err: error }, 'data plane request failed')
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
      res.end('{"message":"Internal server error"}')
    })
  }
  const serveManagement = (
    req: IncomingMessage,
    res: ServerResponse,
    rawUrl: string,
    listener: Listener,
  ): void => {
    // A VPC endpoint listener serves APIs only.
    if (listener.vpce) {
      req.resume()
      res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': 'ForbiddenException' })
      res.end('{"message":"Forbidden"}')
      return
    }
    // Management paths never start with `//`; parse them as a path, not as a protocol-relative URL.
    const url = new URL(rawUrl.replace(/^\/+/, '/'), 'http://localhost')
    if (isConsolePath(url.pathname)) {
      // Static files only: the console itself talks to the management, Lambda and metrics APIs.
      serveConsole(req, res, url.pathname).catch((error: unknown) => {
        log.error({ err: error }, 'console file failed')
        if (!res.headersSent) res.writeHead(500)
        res.end()
      })
      return
    }
    if (url.pathname === '/_tollgate/metrics') {
      metrics.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': metrics.registry.contentType })
          res.end(text)
        },
        (error: unknown) => {
          log.error({ err: error }, 'metrics failed')
          res.writeHead(500)
          res.end()
        },
      )
      return
    }
    const logs = /^\/_tollgate\/logs\/([^/]+)\/([^/]+)$/.exec(url.pathname)
    if (logs) {
      const entries = executionLogs.read(
        // Never decodeURIComponent bare here: `%FF` would throw out of the request listener and
        // take the process down.
        safeDecode(logs[1] ?? ''),
        safeDecode(logs[2] ?? ''),
        Number(url.searchParams.get('since') ?? 0),
      )
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ entries }))
      return
    }
    if (url.pathname === '/_tollgate/health') {
      // Liveness: the process answers. Readiness (below) asks what it depends on.
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ status: 'ok' }))
      return
    }
    if (url.pathname === '/_tollgate/ready') {
      readiness().then(
        ({ ready, checks }) => {
          res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' })
          res.end(JSON.stringify({ status: ready ? 'ready' : 'unavailable', checks }))
        },
        (error: unknown) => {
          log.error({ err: error }, 'readiness check failed')
          res.writeHead(503, { 'content-type': 'application/json' })
          res.end('{"status":"unavailable"}')
        },
      )
      return
    }
    if (isLogsRequest(req.method, url.pathname, req.headers['x-amz-target'])) {
      void handleLogsRequest(req, res, logsDeps, log)
      return
    }
    void handleManagementRequest(req, res, url, router, deps, log)
  }
  /**
   * One handler for every listener: an execute-api address or a custom domain name goes to the
   * data plane; the rest is the management API (on the public listener only). A VPC endpoint's
   * listener also honours `x-apigw-api-id`.
   */
  const handler = (listener: Listener) => (req: IncomingMessage, res: ServerResponse) => {
    inFlight++
    res.on('close', () => {
      inFlight--
      if (inFlight === 0) drained?.()
    })
    if (isClosing(req)) {
      // Pipelined behind a refused request: the connection closes unanswered.
      res.destroy()
      return
    }
    const malformed = malformedRequest(req)
    if (malformed) {
      refuseConnection(req)
      // Nothing of it is read: the connection closes after the answer.
      log.debug({ reason: malformed }, 'malformed request refused')
      const body = '{"message":"Bad Request"}'
      res.writeHead(400, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        connection: 'close',
      })
      res.end(body)
      return
    }
    const rawUrl = req.url ?? '/'
    const apiIdHeader = listener.vpce ? req.headers['x-apigw-api-id'] : undefined
    const address = parseExecuteApiAddress(
      rawUrl,
      req.headers.host,
      typeof apiIdHeader === 'string' ? apiIdHeader : undefined,
    )
    let perRequest = listener
    if (listener.tls) {
      // Mutual TLS: a domain with a truststore serves only clients whose certificate it verified.
      const verdict = clientCertOf(req, config.domainCertificates)
      if (verdict === 'refused') {
        req.resume()
        res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': 'ForbiddenException' })
        res.end('{"message":"Forbidden"}')
        return
      }
      if (verdict) perRequest = { ...listener, clientCert: verdict }
    }
    if (address) {
      serveDataPlane(req, res, address, perRequest)
      return
    }
    domains.resolve(req.headers.host, rawUrl).then(
      (mapped) => {
        if (mapped) serveDataPlane(req, res, mapped, perRequest)
        else serveManagement(req, res, rawUrl, listener)
      },
      (error: unknown) => {
        log.error({ err: error }, 'domain lookup failed')
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
        res.end('{"message":"Internal server error"}')
      },
    )
  }
  const listen = async (server: Server, port: number, host: string): Promise<void> => {
    // Slow clients must not hold sockets forever.
    server.headersTimeout = 30_000
    server.requestTimeout = 120_000
    server.keepAliveTimeout = 65_000
    // Every header of a request within MAX_HEAD_BYTES is kept (Node's default keeps the first
    // 2000 and drops the rest silently), so the data plane counts them all against AWS's limit.
    server.maxHeadersCount = 0
    // What Node's parser refuses itself (a malformed request, a head past MAX_HEAD_BYTES, a
    // header timeout) is answered with a JSON body too, on every listener, HTTPS included.
    server.on('clientError', answerClientError)
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
  }
  const server: Server = createServer({ maxHeaderSize: MAX_HEAD_BYTES }, handler({}))
  await listen(server, config.port, config.host)
  const endpointServers: Server[] = []
  if (config.tlsPort !== undefined) {
    const tlsServer = createTlsListener(config, domains, handler({ tls: true }), log)
    await listen(tlsServer, config.tlsPort, config.host)
    endpointServers.push(tlsServer)
    const bound = tlsServer.address() as AddressInfo
    log.info({ url: `https://${bound.address}:${bound.port}` }, 'HTTPS listener for custom domain names')
  }
  for (const endpoint of config.vpcEndpoints) {
    const admitted = allowedClients(endpoint.allowedCidrs)
    const endpointServer = createServer(
      { maxHeaderSize: MAX_HEAD_BYTES },
      handler({ vpce: { id: endpoint.id, vpcId: endpoint.vpcId } }),
    )
    // The endpoint's security group: connections from other addresses are dropped.
    if (admitted)
      endpointServer.on('connection', (socket) => {
        if (!admitted(socket.remoteAddress ?? '')) socket.destroy()
      })
    await listen(endpointServer, endpoint.port, endpoint.host)
    endpointServers.push(endpointServer)
    const bound = endpointServer.address() as AddressInfo
    log.info({ vpceId: endpoint.id, url: `http://${bound.address}:${bound.port}` }, 'VPC endpoint listening')
  }
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const url = `http://${host}:${address.port}`
  log.info({ url, dataDir: config.dataDir }, 'tollgate listening')
  if (!config.auth)
    log.warn(
      'development mode: the management and Lambda APIs accept any caller (start with --auth to require signed calls)',
    )
  else if (!credentials.fromFile)
    log.warn('--auth without --credentials-file: only the development key test/test is accepted')

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
      await Promise.all(
        endpointServers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve())
              s.closeAllConnections()
            }),
        ),
      )
      registry.close()
      apiKeys.close()
      domains.close()
      apiEndpoints.close()
      vpcLinks.close()
      await backendTls.close()
      await accessLog.close()
      await tracing?.close()
      lambda.close()
      await shared.close()
      await store.close()
      log.info('tollgate stopped')
    })())

  return { config, store, log, url, close }
}

/** The configured store: PostgreSQL when `store` is set, else SQLite in the data directory. */
async function openStore(config: TollgateConfig, log: Logger): Promise<ConfigStore> {
  if (config.store) {
    // pg is loaded only for a PostgreSQL store (start-up time of every other gateway).
    const { PostgresConfigStore } = await import('./store/postgres/postgres-store.js')
    const store = await PostgresConfigStore.connect(config.store, { log })
    log.info({ schema: store.schema }, 'shared store: PostgreSQL')
    return store
  }
  return config.dataDir === ':memory:' ? SqliteConfigStore.inMemory() : SqliteConfigStore.open(config.dataDir)
}

/** A check of client addresses against CIDRs (IPv4 and IPv6), or undefined to admit everyone. */
function allowedClients(cidrs: readonly string[] | undefined): ((address: string) => boolean) | undefined {
  if (!cidrs?.length) return undefined
  const list = new BlockList()
  for (const cidr of cidrs) {
    const [network = '', bits] = cidr.split('/')
    const type = isIP(network) === 6 ? 'ipv6' : 'ipv4'
    if (bits === undefined) list.addAddress(network, type)
    else list.addSubnet(network, Number(bits), type)
  }
  return (address) => {
    const plain = address.startsWith('::ffff:') ? address.slice(7) : address
    const family = isIP(plain)
    return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4')
  }
}
