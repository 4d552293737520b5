import type { InvocationContext, EndpointResponse, IntegrationRequest } from '../dataplane/context.js'
import type { DataPlaneDeps } from '../dataplane/stage.js'

/** Calls one kind of backend with the endpoint request and returns its endpoint response. */
export interface Integration {
  invoke(req: IntegrationRequest, ctx: InvocationContext, deps: DataPlaneDeps): Promise<EndpointResponse>
}
