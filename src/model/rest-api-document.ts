import type { RestApi } from './rest-api.js'
import type { ResourceRecord } from './resource.js'
import type { GatewayResponse, Model, RequestValidator } from './models.js'
import type { Authorizer } from './authorizers.js'

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
  /** Authorizers by id (absent in documents written before they existed). */
  authorizers?: Record<string, Authorizer>
  /** Documentation parts by id (absent in documents written before they existed). */
  documentationParts?: Record<string, DocumentationPart>
  /** Published documentation snapshots by version name. */
  documentationVersions?: Record<string, DocumentationVersion>
}

export const DOCUMENTATION_LOCATION_TYPES = [
  'RESPONSE_BODY',
  'RESPONSE',
  'METHOD',
  'MODEL',
  'AUTHORIZER',
  'RESPONSE_HEADER',
  'RESOURCE',
  'PATH_PARAMETER',
  'REQUEST_BODY',
  'QUERY_PARAMETER',
  'API',
  'REQUEST_HEADER',
] as const

export interface DocumentationPart {
  id: string
  location: {
    type: (typeof DOCUMENTATION_LOCATION_TYPES)[number]
    path?: string
    method?: string
    statusCode?: string
    name?: string
  }
  /** A JSON document, as text (the API's shape). */
  properties: string
}

export interface DocumentationVersion {
  version: string
  createdDate: number
  description?: string
  /** The parts as they were when the version was created. */
  parts: DocumentationPart[]
}
