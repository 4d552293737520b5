export interface Model {
  id: string
  name: string
  description?: string
  schema?: string
  contentType: string
}

export interface RequestValidator {
  id: string
  name?: string
  validateRequestBody: boolean
  validateRequestParameters: boolean
}

export const GATEWAY_RESPONSE_TYPES = [
  'DEFAULT_4XX',
  'DEFAULT_5XX',
  'RESOURCE_NOT_FOUND',
  'UNAUTHORIZED',
  'INVALID_API_KEY',
  'ACCESS_DENIED',
  'AUTHORIZER_FAILURE',
  'AUTHORIZER_CONFIGURATION_ERROR',
  'INVALID_SIGNATURE',
  'EXPIRED_TOKEN',
  'MISSING_AUTHENTICATION_TOKEN',
  'INTEGRATION_FAILURE',
  'INTEGRATION_TIMEOUT',
  'API_CONFIGURATION_ERROR',
  'UNSUPPORTED_MEDIA_TYPE',
  'BAD_REQUEST_PARAMETERS',
  'BAD_REQUEST_BODY',
  'REQUEST_TOO_LARGE',
  'THROTTLED',
  'QUOTA_EXCEEDED',
  'WAF_FILTERED',
] as const
export type GatewayResponseType = (typeof GATEWAY_RESPONSE_TYPES)[number]

/** A customised gateway response (only the ones the user put are stored). */
export interface GatewayResponse {
  responseType: GatewayResponseType
  statusCode?: string
  responseParameters?: Record<string, string>
  responseTemplates?: Record<string, string>
  defaultResponse: boolean
}
