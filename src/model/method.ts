export const HTTP_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'ANY'] as const
export type HttpMethod = (typeof HTTP_METHODS)[number]

export const AUTHORIZATION_TYPES = ['NONE', 'AWS_IAM', 'CUSTOM', 'COGNITO_USER_POOLS'] as const
export type AuthorizationType = (typeof AUTHORIZATION_TYPES)[number]

export const INTEGRATION_TYPES = ['HTTP', 'MOCK', 'AWS_PROXY', 'HTTP_PROXY', 'AWS'] as const
export type IntegrationType = (typeof INTEGRATION_TYPES)[number]

export const PASSTHROUGH_BEHAVIORS = ['WHEN_NO_MATCH', 'WHEN_NO_TEMPLATES', 'NEVER'] as const
export type PassthroughBehavior = (typeof PASSTHROUGH_BEHAVIORS)[number]

export const CONTENT_HANDLING = ['CONVERT_TO_BINARY', 'CONVERT_TO_TEXT'] as const
export type ContentHandling = (typeof CONTENT_HANDLING)[number]

export const CONNECTION_TYPES = ['INTERNET', 'VPC_LINK'] as const
export type ConnectionType = (typeof CONNECTION_TYPES)[number]

/** `method.request.querystring.x` -> required? */
export type RequestParameters = Record<string, boolean>
/** Content type -> model name. */
export type ContentTypeMap = Record<string, string>

export interface MethodResponse {
  statusCode: string
  responseParameters?: Record<string, boolean>
  responseModels?: ContentTypeMap
}

export interface IntegrationResponse {
  statusCode: string
  selectionPattern?: string
  responseParameters?: Record<string, string>
  responseTemplates?: Record<string, string | null>
  contentHandling?: ContentHandling
}

export interface TlsConfig {
  insecureSkipVerification?: boolean
}

export interface Integration {
  type: IntegrationType
  httpMethod?: string
  uri?: string
  connectionType?: ConnectionType
  connectionId?: string
  credentials?: string
  requestParameters?: Record<string, string>
  requestTemplates?: Record<string, string | null>
  passthroughBehavior?: PassthroughBehavior
  contentHandling?: ContentHandling
  timeoutInMillis: number
  cacheNamespace?: string
  cacheKeyParameters: string[]
  integrationResponses?: Record<string, IntegrationResponse>
  tlsConfig?: TlsConfig
}

export interface Method {
  httpMethod: HttpMethod
  authorizationType: AuthorizationType
  authorizerId?: string
  apiKeyRequired: boolean
  requestValidatorId?: string
  operationName?: string
  requestParameters?: RequestParameters
  requestModels?: ContentTypeMap
  authorizationScopes?: string[]
  methodResponses?: Record<string, MethodResponse>
  methodIntegration?: Integration
}
