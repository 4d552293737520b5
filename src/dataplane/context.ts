import { randomUUID } from 'node:crypto'
import { pooledRandomBytes } from '../model/ids.js'
import type { ActiveStage } from '../deployment/stage-registry.js'
import type { CompiledDeployment, CompiledResource } from '../deployment/compiled-deployment.js'
import type { HttpMethod, Method } from '../model/index.js'
import type { KeyGrant } from '../auth/api-keys.js'
import type { GatewayError } from './errors/gateway-error.js'
import type { HeaderEntry, InboundRequest } from './request.js'
import type { RequestTrace } from '../observability/tracing.js'
import type { InputData, TemplateValue } from './mapping/velocity/index.js'

/** The matched resource and method (set by routeRequest). */
export interface RouteMatch {
  readonly resource: CompiledResource
  readonly method: Method
  /** The method key that matched: the request's method, or ANY. */
  readonly methodKey: HttpMethod
  readonly pathParameters: Readonly<Record<string, string>>
  /** The request path in its one canonical form (routing/canonical.ts): routed, authorised, cached. */
  readonly canonicalPath: string
}

/** What the gateway sends to the integration (AWS's "endpoint request"). */
export interface IntegrationRequest {
  method: string
  /** Absolute URL for HTTP integrations; empty for MOCK. */
  url: string
  headers: HeaderEntry[]
  body: Buffer
}

/** What the integration answered (AWS's "endpoint response"). */
export interface EndpointResponse {
  status: number
  headers: HeaderEntry[]
  body: Buffer
  /**
   * What integration responses' selectionPattern is matched against when not the status: a Lambda
   * function's errorMessage; `null` for a Lambda success (the default response answers).
   */
  selector?: string | null
}

/** What goes back to the client. */
export interface OutboundResponse {
  status: number
  headers: HeaderEntry[]
  body: Buffer
}

/** The stage and deployment serving this request, fixed when it arrives. */
/** Set by authorize. */
export interface AuthorizerOutcome {
  principalId?: string
  /** A Lambda authorizer's context (string, number and boolean values). */
  context: Readonly<Record<string, string | number | boolean>>
  /** A Lambda authorizer's usageIdentifierKey (the API key when apiKeySource is AUTHORIZER). */
  usageIdentifierKey?: string
  /** A Cognito user pool token's claims, as strings. */
  claims?: Readonly<Record<string, string>>
  /** How long the authorizer function took (ms); 0 for a cached result. */
  integrationLatency: number
  /** The authorizer's policy allows execute-api:InvalidateCache on this method. */
  canInvalidateCache?: boolean
}

export interface ServingTarget {
  readonly apiId: string
  readonly stageName: string
  readonly active: ActiveStage
  /** The canary deployment for a canary request, else the stage's. */
  readonly deployment: CompiledDeployment
  readonly isCanaryRequest: boolean
  /** The stage's variables, with the canary's overrides applied for a canary request. */
  readonly stageVariables: Readonly<Record<string, string>>
}

/**
 * One request's state as it flows through the pipeline, filled in stage by stage. Fields are
 * AWS's names for the same things.
 */
export class InvocationContext {
  /** $context.requestId */
  readonly requestId = randomUUID()
  /** $context.extendedRequestId (also the x-amz-apigw-id header) */
  readonly extendedRequestId = pooledRandomBytes(8).toString('hex')
  /** $context.requestTimeEpoch (ms) */
  readonly requestTimeEpoch = Date.now()
  /** Set by routeRequest. */
  match?: RouteMatch
  /** Set by buildIntegrationRequest. */
  integrationRequest?: IntegrationRequest
  /** Set by invokeIntegration. */
  endpointResponse?: EndpointResponse
  /** Set by the response stages, or by rendering a gateway error. */
  response?: OutboundResponse
  /** `$context.responseOverride` values a request template set (applied to the method response). */
  responseOverrides?: { status?: number; header: Record<string, string> }
  /**
   * What the method's authorizer established ($context.authorizer.*, requestContext.authorizer):
   * a Lambda authorizer's principalId, context and usageIdentifierKey, or a user pool's claims.
   */
  authorizer?: AuthorizerOutcome
  /** The IAM caller of an AWS_IAM method ($context.identity.caller, user, userArn, accessKey, accountId). */
  caller?: { accessKey: string; userArn: string; accountId: string; principalId: string }
  /**
   * The API key that checkApiKey accepted ($context.identity.apiKey / apiKeyId), with its usage
   * plans covering this stage and their throttles and quotas.
   */
  keyGrant?: KeyGrant
  /** How long the integration took (ms), for IntegrationLatency; unset for a cache hit. */
  integrationLatencyMs?: number
  /** Set by lookupCache when the stage cache applies to this request. */
  cache?: {
    readonly stage: string
    readonly key: string
    readonly ttlMs: number
    readonly budgetBytes: number
    /** The endpoint response came from the cache. */
    hit: boolean
    /** An unauthorised `Cache-Control: max-age=0` was ignored with a warning header. */
    warn: boolean
  }
  /** The gateway error this request ended with, if any. */
  error?: GatewayError
  /** The request's OpenTelemetry spans, when an OTLP endpoint is configured and the stage has tracingEnabled. */
  trace?: RequestTrace
  /**
   * The method request's parameters as a mapping template reads them (`$input.params()`), built by
   * the first template of the request (render-template.ts) and read again by the response's.
   */
  templateParams?: Pick<InputData, 'path' | 'querystring' | 'header'> & {
    converted?: Map<string, TemplateValue>
  }
  /**
   * `$context` as template values, converted by the first template of the request and read by
   * each render (copied at every depth for a template that may change it, at the top for one that
   * names the overrides); built again if the request has failed since (`$context.error`).
   */
  templateContext?: { error: GatewayError | undefined; values: ReadonlyMap<string, TemplateValue> }

  constructor(
    /** The client request exactly as received. */
    readonly request: InboundRequest,
    /** The stage and deployment serving it. */
    readonly target: ServingTarget,
  ) {}
}

/** A later stage states its precondition in one line instead of sprinkling `!`. */
export function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`pipeline invariant: ${name} is not set`)
  return value
}
