import type { Logger } from 'pino'
import type { InvocationContext } from './context.js'
import type { Dispatcher } from 'undici'
import type { LambdaService } from '../lambda/service.js'
import type { ApiKeyRegistry } from '../auth/api-keys.js'

/** Long-lived things the pipeline stages and integrations use; built once in server.ts. */
export interface DataPlaneDeps {
  readonly log: Logger
  readonly accountId: string
  readonly region: string
  /** The process-wide pooled HTTP client for HTTP and HTTP_PROXY integrations. */
  readonly httpDispatcher: Dispatcher
  /** The built-in Lambda service, for AWS_PROXY and AWS (Lambda) integrations. */
  readonly lambda: LambdaService
  /** Integrations without credentials need a Lambda resource policy allowing API Gateway. */
  readonly enforceLambdaPermissions: boolean
  /** API keys and usage plans, for methods that require a key. */
  readonly apiKeys: ApiKeyRegistry
}

/** 'continue' goes on; 'respond' skips to sending (a proxy integration, a cache hit). */
export type StageOutcome = 'continue' | 'respond'

/** One step of the request pipeline. Failures are thrown as GatewayError and rendered once by the runner. */
export interface Stage {
  readonly name: string
  run(ctx: InvocationContext, deps: DataPlaneDeps): Promise<StageOutcome> | StageOutcome
}
