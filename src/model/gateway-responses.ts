import type { GatewayResponseType } from './models.js'

/**
 * The status each gateway response type answers with when not customised (AWS docs
 * "supported-gateway-response-types"; recorded get-gateway-responses output). DEFAULT_4XX and
 * DEFAULT_5XX have none: they stand in for the status of the error they replace.
 */
export const DEFAULT_GATEWAY_RESPONSE_STATUS: Record<GatewayResponseType, string | undefined> = {
  ACCESS_DENIED: '403',
  API_CONFIGURATION_ERROR: '500',
  AUTHORIZER_CONFIGURATION_ERROR: '500',
  AUTHORIZER_FAILURE: '500',
  BAD_REQUEST_BODY: '400',
  BAD_REQUEST_PARAMETERS: '400',
  DEFAULT_4XX: undefined,
  DEFAULT_5XX: undefined,
  EXPIRED_TOKEN: '403',
  INTEGRATION_FAILURE: '504',
  INTEGRATION_TIMEOUT: '504',
  INVALID_API_KEY: '403',
  INVALID_SIGNATURE: '403',
  MISSING_AUTHENTICATION_TOKEN: '403',
  QUOTA_EXCEEDED: '429',
  REQUEST_TOO_LARGE: '413',
  RESOURCE_NOT_FOUND: '404',
  THROTTLED: '429',
  UNAUTHORIZED: '401',
  UNSUPPORTED_MEDIA_TYPE: '415',
  WAF_FILTERED: '403',
}

/** The default body template of every gateway response type. */
export const DEFAULT_GATEWAY_TEMPLATE = '{"message":$context.error.messageString}'
