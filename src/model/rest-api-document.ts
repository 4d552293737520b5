import type { RestApi } from './rest-api.js'
import type { ResourceRecord } from './resource.js'
import type { GatewayResponse, Model, RequestValidator } from './models.js'

/**
 * A REST API with everything that a deployment captures: its resource tree (with methods,
 * integrations and responses inline, as AWS nests them), models, request validators and
 * gateway responses. The management API edits it as one unit inside a transaction, and a
 * deployment freezes a copy of it.
 */
export interface RestApiDocument {
  api: RestApi
  resources: Record<string, ResourceRecord>
  /** Keyed by model name (AWS addresses models by name). */
  models: Record<string, Model>
  requestValidators: Record<string, RequestValidator>
  /** Keyed by response type; only customised responses are stored. */
  gatewayResponses: Record<string, GatewayResponse>
}
