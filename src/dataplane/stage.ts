import type { Logger } from 'pino'
import type { InvocationContext } from './context.js'
import type { LambdaService } from '../lambda/service.js'
import type { ApiKeyRegistry } from '../auth/api-keys.js'
import type { ThrottleStore } from '../throttle/throttle-store.js'
import type { RateLimit } from '../throttle/token-bucket.js'
import type { UsageStore } from '../quota/usage-store.js'
import type { CredentialStore } from '../auth/credentials.js'
import type { CacheStore } from '../cache/cache-store.js'
import type { AuthorizerResultCache } from '../auth/authorizer-result-cache.js'
import type { ApiEndpoints } from './api-endpoints.js'
import type { VpcLinkBalancer } from '../integrations/vpc-links.js'
import type { BackendTls } from '../integrations/backend-tls.js'
import type { GatewayMetrics } from '../observability/metrics.js'
import type { AccessLog } from '../observability/access-log.js'
import type { ExecutionLogs } from '../observability/execution-log.js'
import type { GatewayTracing } from '../observability/tracing.js'

/** Long-lived things the pipeline stages and integrations use; built once in server.ts. */
export interface DataPlaneDeps {
  readonly log: Logger
  readonly accountId: string
  readonly region: string
  /** The built-in Lambda service, for AWS_PROXY and AWS (Lambda) integrations. */
  readonly lambda: LambdaService
  /** Integrations without credentials need a Lambda resource policy allowing API Gateway. */
  readonly enforceLambdaPermissions: boolean
  /** API keys and usage plans, for methods that require a key. */
  readonly apiKeys: ApiKeyRegistry
  /** Token buckets for throttling. */
  readonly throttle: ThrottleStore
  /** The account-level limit (AWS: 10,000 rps, burst 5,000 by default). */
  readonly accountThrottle: RateLimit
  /** Where user pools are served when not from Cognito (`--cognito-issuer-base`). */
  readonly cognitoIssuerBase?: string | undefined
  /** The user pools' app clients, when configured (`--cognito-client-ids`). */
  readonly cognitoClientIds?: readonly string[] | undefined
  /** The stage cache. */
  readonly cache: CacheStore
  /** Lambda authorizer results, for their TTL. */
  readonly authorizerCache: AuthorizerResultCache
  /** Scales cacheClusterSize's memory budget (1 = the size in GB). */
  readonly cacheMemoryScale: number
  /** AWS service integrations: endpoint overrides and the credentials calls are signed with. */
  readonly awsEndpointUrl?: string | undefined
  readonly awsServiceEndpoints: Readonly<Record<string, string>>
  readonly awsCredentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  /** Stages' execution logs. */
  readonly executionLogs: ExecutionLogs
  /** Stages' access logs. */
  readonly accessLog: AccessLog
  /** OpenTelemetry spans of stages with tracingEnabled; absent without an OTLP endpoint. */
  readonly tracing?: GatewayTracing | undefined
  /** Prometheus metrics (AWS's CloudWatch set). */
  readonly metrics: GatewayMetrics
  /** Client certificates and TLS settings towards HTTP backends. */
  readonly backendTls: BackendTls
  /** Backends of VPC links (connectionType VPC_LINK). */
  readonly vpcLinks: VpcLinkBalancer
  /** The APIs' current endpoint types (they change without a deployment). */
  readonly apiEndpoints: ApiEndpoints
  /** CloudFront-Viewer-Country for edge-optimized APIs. */
  readonly edgeViewerCountry: string
  /** Access keys for AWS_IAM methods. */
  readonly credentials: CredentialStore
  /** Request counts behind usage plan quotas. */
  readonly usage: UsageStore
}

/** 'continue' goes on; 'respond' skips to sending (a proxy integration, a cache hit). */
export type StageOutcome = 'continue' | 'respond'

/**
 * One step of the request pipeline. Failures are thrown as GatewayError and rendered once by the
 * runner. A stage returns its outcome directly when it has nothing to wait for (a promise only when
 * it waits), and throws rather than rejecting either way.
 */
export interface Stage {
  readonly name: string
  run(ctx: InvocationContext, deps: DataPlaneDeps): Promise<StageOutcome> | StageOutcome
}
