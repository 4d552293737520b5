import { z } from 'zod'

/** A VPC endpoint Tollgate listens as (PRIVATE APIs). */
export interface VpcEndpointListener {
  id: string
  host: string
  port: number
  vpcId?: string | undefined
  /** Client addresses the endpoint admits (its security group); all when absent. */
  allowedCidrs?: string[] | undefined
}

/** PEM files of a custom domain name. */
export interface DomainCertificate {
  domain: string
  cert: string
  key: string
  truststore?: string | undefined
}

/** The one configuration object, loaded and validated at boot and passed down. */
export interface TollgateConfig {
  port: number
  host: string
  /** Where the embedded store keeps its files; `:memory:` keeps nothing. */
  dataDir: string
  /**
   * A shared store for several nodes, `postgres://user@host:5432/db[?schema=name]`; the embedded
   * SQLite store in dataDir when unset. Lambda code is unpacked under dataDir either way.
   */
  store?: string | undefined
  region: string
  accountId: string
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** Deploy the demo API at start-up. */
  demo: boolean
  /** Milliseconds given to in-flight requests on shutdown before connections are cut. */
  shutdownGraceMs: number
  /** Delay before the first retry of a failed asynchronous (Event) invoke; the second waits twice as long. AWS: about 1 and 2 minutes. */
  lambdaAsyncRetryDelayMs: number
  /**
   * Require a Lambda resource policy allowing apigateway.amazonaws.com (with a matching SourceArn)
   * before an integration without credentials may invoke a function, as AWS does. Off by default
   * for local development.
   */
  enforceLambdaPermissions: boolean
  /** Account-level throttle (AWS: 10,000 requests per second, burst 5,000; raised through Service Quotas). */
  accountRateLimit: number
  accountBurstLimit: number
  /**
   * Where COGNITO_USER_POOLS authorizers find user pools: `{base}/{poolId}` is a pool's issuer
   * (JWKS at `/.well-known/jwks.json`) instead of `https://cognito-idp.{region}.amazonaws.com/{poolId}`,
   * so a local identity provider can stand in.
   */
  cognitoIssuerBase?: string | undefined
  /**
   * The app clients of the user pools (Cognito knows them; Tollgate is told): when set, an ID
   * token's `aud` or an access token's `client_id` must be one of them.
   */
  cognitoClientIds?: string[] | undefined
  /**
   * A JSON or YAML file of access keys (`credentials: [{accessKeyId, secretAccessKey, userArn,
   * scope}]`) for SigV4-signed requests; without it the development key `test` / `test` is accepted.
   */
  credentialsFile?: string | undefined
  /** Scales the stage cache's memory budget (cacheClusterSize in GB × this); below 1 for small machines and tests. */
  cacheMemoryScale: number
  /**
   * Where AWS service integrations send their calls: one endpoint for every service (also read
   * from the SDKs' `AWS_ENDPOINT_URL`), else the real AWS endpoint of the service and region.
   */
  awsEndpointUrl?: string | undefined
  /**
   * Per-service endpoints, `sqs=http://127.0.0.1:9324,states=...` (also read from the SDKs'
   * `AWS_ENDPOINT_URL_<SERVICE>`, e.g. `AWS_ENDPOINT_URL_SQS`, `AWS_ENDPOINT_URL_SFN`).
   */
  awsServiceEndpoints: Record<string, string>
  /** Credentials AWS service integrations sign with (also the SDKs' `AWS_ACCESS_KEY_ID`, ...). */
  awsAccessKeyId?: string | undefined
  awsSecretAccessKey?: string | undefined
  awsSessionToken?: string | undefined
  /**
   * VPC endpoints as listeners: `vpce-0abc=127.0.0.2:4566@vpc-0123,...` (id, address, optional VPC
   * id). Private APIs answer only through them.
   */
  vpcEndpoints: VpcEndpointListener[]
  /** An HTTPS listener (same host) serving custom domain names with their certificates. */
  tlsPort?: number | undefined
  /**
   * Certificates of custom domain names, `domain=cert.pem:key.pem[:truststore.pem],...`; a
   * truststore turns on mutual TLS for the domain.
   */
  domainCertificates: DomainCertificate[]
  /**
   * What VPC links reach: each target ARN (on AWS a network load balancer) to backends,
   * `arn=host:port|host:port;arn=...`.
   */
  vpcLinkTargets: Record<string, string[]>
  /** How often VPC link backends are health-checked (a TCP connect), in ms. */
  vpcLinkHealthIntervalMs: number
  /**
   * How long after a store change the stages nobody asked for since are loaded again, so that
   * deleted ones (their compiled deployment, metrics and execution logs) are forgotten, in ms.
   */
  stageRevalidateMs: number
  /** The CloudFront-Viewer-Country edge-optimized APIs see (a trusted front proxy's header wins). */
  edgeViewerCountry: string
  /** Where stages' access log lines go (stdout when unset). */
  accessLogFile?: string | undefined
  /** Require SigV4 signatures, from the credentials file's keys and within their scope, on every management and Lambda API call. */
  auth: boolean
  /**
   * Where OpenTelemetry spans go, an OTLP/HTTP (JSON) traces URL; a URL without a path gets
   * `/v1/traces`. Also the standard `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` / `OTEL_EXPORTER_OTLP_ENDPOINT`.
   * Unset: no tracing at all.
   */
  otlpEndpoint?: string | undefined
  /**
   * A Redis (`redis://` or `rediss://`) shared by several gateway nodes for throttling, quotas,
   * the stage cache, authorizer results and Lambda concurrency; everything stays in this process
   * without it.
   */
  redis?: string | undefined
  /**
   * What requests needing Redis get while it is unreachable: `open` serves them with this node's
   * own limits and cache misses, `closed` answers 503.
   */
  redisFailurePolicy: 'open' | 'closed'
  /** Prefix of every key Tollgate writes in Redis (several gateways or tests can share one Redis). */
  redisKeyPrefix: string
}

// zod compiles an object schema's parser with `new Function` on its first parse: 5.3 ms of a
// start against 2.5 ms interpreted (each later parse 0.12 against 0.17 ms), and every schema here
// parses once or a few times. Set here, where the first schema of a start is parsed.
z.config({ jitless: true })

const schema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(4566),
  host: z.string().min(1).default('127.0.0.1'),
  dataDir: z.string().min(1).default('.tollgate'),
  store: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, 'must be a postgres:// URL')
    .optional(),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must look like us-east-1')
    .default('us-east-1'),
  accountId: z
    .string()
    .regex(/^\d{12}$/, 'must be 12 digits')
    .default('000000000000'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  demo: z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
    .transform((v) => v === true || v === 'true' || v === '1')
    .default(false),
  shutdownGraceMs: z.coerce.number().int().min(0).default(10_000),
  lambdaAsyncRetryDelayMs: z.coerce.number().int().min(0).default(60_000),
  accountRateLimit: z.coerce.number().min(0).default(10_000),
  accountBurstLimit: z.coerce.number().int().min(0).default(5_000),
  cognitoIssuerBase: z.url({ protocol: /^https?$/ }).optional(),
  cognitoClientIds: z
    .union([z.array(z.string()), z.string()])
    .transform((v) =>
      Array.isArray(v)
        ? v
        : v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
    )
    .optional(),
  credentialsFile: z.string().min(1).optional(),
  accessLogFile: z.string().min(1).optional(),
  cacheMemoryScale: z.coerce.number().positive().max(1).default(1),
  awsEndpointUrl: z.url({ protocol: /^https?$/ }).optional(),
  awsServiceEndpoints: z
    .union([z.record(z.string(), z.string()), z.string()])
    .transform((v) =>
      typeof v === 'string'
        ? Object.fromEntries(
            v
              .split(',')
              .map((pair) => pair.trim().split('='))
              .filter((pair): pair is [string, string] => pair.length === 2 && !!pair[0] && !!pair[1])
              .map(([k, url]) => [k.toLowerCase(), url]),
          )
        : v,
    )
    .default({}),
  vpcEndpoints: z
    .union([
      z.array(
        z.object({
          id: z.string(),
          host: z.string(),
          port: z.number(),
          vpcId: z.string().optional(),
          allowedCidrs: z.array(z.string()).optional(),
        }),
      ),
      z.string(),
    ])
    .transform((v, ctx) => {
      if (Array.isArray(v)) return v
      const out: VpcEndpointListener[] = []
      for (const item of v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)) {
        const m = /^(vpce-[a-z0-9]+)=([^@#]+):(\d+)(?:@(vpc-[a-z0-9]+))?(?:#(.+))?$/.exec(item)
        if (!m) {
          ctx.addIssue({
            code: 'custom',
            message: `expected vpce-ID=HOST:PORT[@vpc-ID][#CIDR|CIDR], got ${item}`,
          })
          return z.NEVER
        }
        out.push({
          id: m[1] ?? '',
          host: m[2] ?? '',
          port: Number(m[3]),
          ...(m[4] ? { vpcId: m[4] } : {}),
          ...(m[5] ? { allowedCidrs: m[5].split('|') } : {}),
        })
      }
      return out
    })
    .default([]),
  tlsPort: z.coerce.number().int().min(0).max(65535).optional(),
  vpcLinkTargets: z
    .union([z.record(z.string(), z.array(z.string())), z.string()])
    .transform((v) =>
      typeof v === 'string'
        ? Object.fromEntries(
            v
              .split(';')
              .map((entry) => entry.trim())
              .filter(Boolean)
              .map((entry) => {
                const eq = entry.lastIndexOf('=')
                return [
                  entry.slice(0, eq),
                  entry
                    .slice(eq + 1)
                    .split('|')
                    .filter(Boolean),
                ] as const
              }),
          )
        : v,
    )
    .default({}),
  vpcLinkHealthIntervalMs: z.coerce.number().int().min(50).default(5_000),
  stageRevalidateMs: z.coerce.number().int().min(10).default(5_000),
  domainCertificates: z
    .union([
      z.array(
        z.object({
          domain: z.string(),
          cert: z.string(),
          key: z.string(),
          truststore: z.string().optional(),
        }),
      ),
      z.string(),
    ])
    .transform((v, ctx) => {
      if (Array.isArray(v)) return v
      const out: DomainCertificate[] = []
      for (const item of v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)) {
        const m = /^([^=]+)=([^:]+):([^:]+)(?::(.+))?$/.exec(item)
        if (!m) {
          ctx.addIssue({
            code: 'custom',
            message: `expected domain=cert.pem:key.pem[:truststore.pem], got ${item}`,
          })
          return z.NEVER
        }
        out.push({
          domain: (m[1] ?? '').toLowerCase(),
          cert: m[2] ?? '',
          key: m[3] ?? '',
          ...(m[4] ? { truststore: m[4] } : {}),
        })
      }
      return out
    })
    .default([]),
  edgeViewerCountry: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be a two-letter country code')
    .default('US'),
  awsAccessKeyId: z.string().min(1).optional(),
  awsSecretAccessKey: z.string().min(1).optional(),
  awsSessionToken: z.string().min(1).optional(),
  otlpEndpoint: z
    .url({ protocol: /^https?$/ })
    .transform((url) => (/^https?:\/\/[^/]+\/?$/.test(url) ? `${url.replace(/\/$/, '')}/v1/traces` : url))
    .optional(),
  auth: z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
    .transform((v) => v === true || v === 'true' || v === '1')
    .default(false),
  enforceLambdaPermissions: z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
    .transform((v) => v === true || v === 'true' || v === '1')
    .default(false),
  redis: z.url({ protocol: /^rediss?$/ }).optional(),
  redisFailurePolicy: z.enum(['open', 'closed']).default('open'),
  redisKeyPrefix: z.string().default('tollgate:'),
})

/** Thrown for configuration that cannot start a gateway; the CLI prints it and exits 2. */
export class ConfigError extends Error {
  readonly code = 'TOLLGATE_BAD_CONFIG'
}

const ENV: Record<keyof TollgateConfig, string> = {
  port: 'TOLLGATE_PORT',
  host: 'TOLLGATE_HOST',
  dataDir: 'TOLLGATE_DATA_DIR',
  store: 'TOLLGATE_STORE',
  region: 'TOLLGATE_REGION',
  accountId: 'TOLLGATE_ACCOUNT_ID',
  logLevel: 'TOLLGATE_LOG_LEVEL',
  demo: 'TOLLGATE_DEMO',
  shutdownGraceMs: 'TOLLGATE_SHUTDOWN_GRACE_MS',
  lambdaAsyncRetryDelayMs: 'TOLLGATE_LAMBDA_ASYNC_RETRY_DELAY_MS',
  enforceLambdaPermissions: 'TOLLGATE_ENFORCE_LAMBDA_PERMISSIONS',
  accountRateLimit: 'TOLLGATE_ACCOUNT_RATE_LIMIT',
  accountBurstLimit: 'TOLLGATE_ACCOUNT_BURST_LIMIT',
  cognitoIssuerBase: 'TOLLGATE_COGNITO_ISSUER_BASE',
  cognitoClientIds: 'TOLLGATE_COGNITO_CLIENT_IDS',
  credentialsFile: 'TOLLGATE_CREDENTIALS_FILE',
  accessLogFile: 'TOLLGATE_ACCESS_LOG_FILE',
  cacheMemoryScale: 'TOLLGATE_CACHE_MEMORY_SCALE',
  auth: 'TOLLGATE_AUTH',
  vpcEndpoints: 'TOLLGATE_VPC_ENDPOINTS',
  edgeViewerCountry: 'TOLLGATE_EDGE_VIEWER_COUNTRY',
  tlsPort: 'TOLLGATE_TLS_PORT',
  vpcLinkTargets: 'TOLLGATE_VPC_LINK_TARGETS',
  vpcLinkHealthIntervalMs: 'TOLLGATE_VPC_LINK_HEALTH_INTERVAL_MS',
  stageRevalidateMs: 'TOLLGATE_STAGE_REVALIDATE_MS',
  domainCertificates: 'TOLLGATE_DOMAIN_CERTIFICATES',
  awsEndpointUrl: 'TOLLGATE_AWS_ENDPOINT_URL',
  awsServiceEndpoints: 'TOLLGATE_AWS_SERVICE_ENDPOINTS',
  awsAccessKeyId: 'TOLLGATE_AWS_ACCESS_KEY_ID',
  awsSecretAccessKey: 'TOLLGATE_AWS_SECRET_ACCESS_KEY',
  awsSessionToken: 'TOLLGATE_AWS_SESSION_TOKEN',
  otlpEndpoint: 'TOLLGATE_OTLP_ENDPOINT',
  redis: 'TOLLGATE_REDIS',
  redisFailurePolicy: 'TOLLGATE_REDIS_FAILURE_POLICY',
  redisKeyPrefix: 'TOLLGATE_REDIS_KEY_PREFIX',
}

/**
 * The AWS SDKs' and OpenTelemetry's standard variables, read after Tollgate's own: `AWS_ENDPOINT_URL`,
 * `AWS_ENDPOINT_URL_<SERVICE>` (the SDK service id: SQS, SFN, S3, DYNAMODB, ...) and the
 * credentials. Service ids map to the endpoint prefixes integration URIs use.
 */
const SDK_SERVICE_IDS: Readonly<Record<string, string>> = {
  SFN: 'states',
  EVENTBRIDGE: 'events',
  CLOUDWATCH_LOGS: 'logs',
}
function standardAwsSettings(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const services: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) {
    const id = /^AWS_ENDPOINT_URL_(.+)$/.exec(name)?.[1]
    if (id && value) services[SDK_SERVICE_IDS[id] ?? id.toLowerCase()] = value
  }
  const out: Record<string, unknown> = {}
  if (Object.keys(services).length) out['awsServiceEndpoints'] = services
  if (env['AWS_ENDPOINT_URL']) out['awsEndpointUrl'] = env['AWS_ENDPOINT_URL']
  if (env['AWS_ACCESS_KEY_ID']) out['awsAccessKeyId'] = env['AWS_ACCESS_KEY_ID']
  if (env['AWS_SECRET_ACCESS_KEY']) out['awsSecretAccessKey'] = env['AWS_SECRET_ACCESS_KEY']
  if (env['AWS_SESSION_TOKEN']) out['awsSessionToken'] = env['AWS_SESSION_TOKEN']
  // OpenTelemetry's exporter variables: the traces URL as is, else the base URL + /v1/traces.
  const traces = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']
  const base = env['OTEL_EXPORTER_OTLP_ENDPOINT']
  if (traces) out['otlpEndpoint'] = traces
  else if (base) out['otlpEndpoint'] = `${base.replace(/\/$/, '')}/v1/traces`
  return out
}

/**
 * Builds the configuration from (highest first) explicit options, `TOLLGATE_*` environment
 * variables and defaults. This is the only place that reads the environment.
 */
export function loadConfig(
  options: Partial<Record<keyof TollgateConfig, unknown>> = {},
  env: NodeJS.ProcessEnv = process.env,
): TollgateConfig {
  const merged: Record<string, unknown> = standardAwsSettings(env)
  for (const key of Object.keys(ENV) as (keyof TollgateConfig)[]) {
    const fromEnv = env[ENV[key]]
    const value = options[key] ?? (fromEnv === '' ? undefined : fromEnv)
    if (value !== undefined) merged[key] = value
  }
  const parsed = schema.safeParse(merged)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = issue.path[0] as keyof TollgateConfig
      return `${key} (--${kebab(key)} / ${ENV[key]}): ${issue.message}`
    })
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`)
  }
  return parsed.data
}

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
