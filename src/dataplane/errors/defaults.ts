import { DEFAULT_GATEWAY_RESPONSE_STATUS, type GatewayResponseType } from '../../model/index.js'

/**
 * The `x-amzn-ErrorType` header each gateway response type carries (recorded responses and AWS's
 * Knowledge Center pages on 403 / 5XX errors; docs/errors.md cites each).
 */
const ERROR_TYPES: Record<GatewayResponseType, string | undefined> = {
  ACCESS_DENIED: 'AccessDeniedException',
  API_CONFIGURATION_ERROR: 'InternalServerErrorException',
  AUTHORIZER_CONFIGURATION_ERROR: 'AuthorizerConfigurationException',
  AUTHORIZER_FAILURE: 'AuthorizerFailureException',
  BAD_REQUEST_PARAMETERS: 'BadRequestException',
  BAD_REQUEST_BODY: 'BadRequestException',
  DEFAULT_4XX: undefined,
  DEFAULT_5XX: 'InternalServerErrorException',
  EXPIRED_TOKEN: 'InvalidSignatureException',
  INTEGRATION_FAILURE: 'InternalServerErrorException',
  INTEGRATION_TIMEOUT: 'InternalServerErrorException',
  INVALID_API_KEY: 'ForbiddenException',
  INVALID_SIGNATURE: 'InvalidSignatureException',
  MISSING_AUTHENTICATION_TOKEN: 'MissingAuthenticationTokenException',
  QUOTA_EXCEEDED: 'LimitExceededException',
  REQUEST_TOO_LARGE: 'RequestTooLargeException',
  RESOURCE_NOT_FOUND: 'NotFoundException',
  THROTTLED: 'TooManyRequestsException',
  UNAUTHORIZED: 'UnauthorizedException',
  UNSUPPORTED_MEDIA_TYPE: 'UnsupportedMediaTypeException',
  WAF_FILTERED: 'WAFFilteredException',
}

/**
 * AWS's built-in gateway responses: status (DEFAULT_5XX, raised for unexpected failures, answers
 * 500) and error type.
 */
export function builtinGatewayResponse(type: GatewayResponseType): {
  status: number
  errorType: string | undefined
} {
  const status = DEFAULT_GATEWAY_RESPONSE_STATUS[type]
  return { status: status === undefined ? 500 : Number(status), errorType: ERROR_TYPES[type] }
}
