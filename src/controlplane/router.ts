import type { IncomingHttpHeaders } from 'node:http'
import type { TollgateConfig } from '../config/config.js'
import type { ConfigStore } from '../store/index.js'
import type { Input } from './input.js'
import type { LambdaService } from '../lambda/service.js'
import type { UsageStore } from '../quota/usage-store.js'
import type { CredentialStore } from '../auth/credentials.js'
import type { CacheStore } from '../cache/cache-store.js'
import type { DataPlaneDeps } from '../dataplane/stage.js'

/** What a management handler receives. */
export interface ManagementRequest {
  method: string
  /** Path parameters, URL-decoded. */
  params: Record<string, string>
  query: URLSearchParams
  headers: IncomingHttpHeaders
  /** The JSON body (an empty object when there is none; empty for routes that take the raw body). */
  body: Input
  /** The body as received, for routes that set `rawBody` (Lambda Invoke). */
  rawBody: Buffer
}

export interface ManagementResponse {
  status: number
  /** Serialised as JSON. */
  body?: unknown
  /** Sent as is instead of `body` (Lambda Invoke's payload). */
  rawBody?: Buffer
  headers?: Record<string, string>
}

/** Long-lived things every management handler may use. */
export interface ManagementDeps {
  store: ConfigStore
  config: TollgateConfig
  /** The built-in Lambda service, for the Lambda API routes. */
  lambda: LambdaService
  /** Usage counts, for GetUsage and UpdateUsage. */
  usage: UsageStore
  /** Access keys, for signed management calls (`--auth`). */
  credentials: CredentialStore
  /** The stage cache, for FlushStageCache. */
  cache: CacheStore
  /** The data plane's dependencies, for TestInvokeMethod. */
  dataPlane: DataPlaneDeps
}

export type Handler = (req: ManagementRequest, deps: ManagementDeps) => Promise<ManagementResponse>

/** One operation: an HTTP method and a path template such as `/restapis/{restapi_id}`. */
export interface Route {
  method: string
  path: string
  handler: Handler
  /** Hand the body over unparsed (it need not be a JSON object). */
  rawBody?: boolean
}

interface CompiledRoute {
  method: string
  segments: readonly string[]
  route: Route
}

export interface RouteMatch {
  route: Route
  params: Record<string, string>
}

/**
 * The management API's route table. Its paths are fixed by the AWS API (a few dozen templates,
 * one `{name}` per variable segment), so an exact segment-by-segment match is all it needs;
 * literal segments beat variables so `/restapis/{id}/resources` never reads `resources` as an id.
 */
export class ManagementRouter {
  readonly #routes: CompiledRoute[]

  constructor(routes: readonly Route[]) {
    this.#routes = routes
      .map((route) => ({ method: route.method, segments: split(route.path), route }))
      // Literal segments first, so specific templates win over variable ones.
      .sort((a, b) => specificity(b.segments) - specificity(a.segments))
  }

  /** Matches a raw (still percent-encoded) path; `undefined` when no operation has this path. */
  match(method: string, rawPath: string): RouteMatch | 'method-not-allowed' | undefined {
    const segments = split(rawPath)
    let pathMatched = false
    for (const route of this.#routes) {
      const params = matchSegments(route.segments, segments)
      if (!params) continue
      pathMatched = true
      if (route.method === method) return { route: route.route, params }
    }
    return pathMatched ? 'method-not-allowed' : undefined
  }
}

function split(path: string): string[] {
  const trimmed = path.replace(/^\/+|\/+$/g, '')
  return trimmed === '' ? [] : trimmed.split('/')
}

function specificity(segments: readonly string[]): number {
  return segments.reduce((score, s, i) => score + (s.startsWith('{') ? 0 : 2 ** (16 - i)), 0)
}

function matchSegments(
  template: readonly string[],
  actual: readonly string[],
): Record<string, string> | undefined {
  if (template.length !== actual.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < template.length; i++) {
    const t = template[i] as string
    const a = actual[i] as string
    if (t.startsWith('{')) {
      let value: string
      try {
        value = decodeURIComponent(a)
      } catch {
        return undefined
      }
      params[t.slice(1, -1)] = value
    } else if (t !== a) {
      return undefined
    }
  }
  return params
}
