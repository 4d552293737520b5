import type { GatewayResponseType } from '../../model/index.js'

/**
 * AWS's built-in gateway responses: the status each type answers with when not customised, and
 * the `x-amzn-ErrorType` header it carries. Statuses from the developer guide page
 * "supported-gateway-response-types"; error types from recorded responses and AWS's Knowledge
 * Center pages on 403/5XX errors (see docs/errors.md for each source). DEFAULT_4XX / DEFAULT_5XX
 * have no status of their own: they take the status of the error they stand in for.
 */
export const GATEWAY_RESPONSE_DEFAULTS: Record<GatewayResponseType, { status?: number; errorType?: string }> =
  {
    ACCESS_DENIED: { status: 403, errorType: 'AccessDeniedException' },
    API_CONFIGURATION_ERROR: { status: 500, errorType: 'InternalServerErrorException' },
    AUTHORIZER_CONFIGURATION_ERROR: { status: 500, errorType: 'AuthorizerConfigurationException' },
    AUTHORIZER_FAILURE: { status: 500, errorType: 'AuthorizerFailureException' },
    BAD_REQUEST_PARAMETERS: { status: 400, errorType: 'BadRequestException' },
    BAD_REQUEST_BODY: { status: 400, errorType: 'BadRequestException' },
    DEFAULT_4XX: {},
    DEFAULT_5XX: { status: 500, errorType: 'InternalServerErrorException' },
    EXPIRED_TOKEN: { status: 403, errorType: 'InvalidSignatureException' },
    INTEGRATION_FAILURE: { status: 504, errorType: 'InternalServerErrorException' },
    INTEGRATION_TIMEOUT: { status: 504, errorType: 'InternalServerErrorException' },
    INVALID_API_KEY: { status: 403, errorType: 'ForbiddenException' },
    INVALID_SIGNATURE: { status: 403, errorType: 'InvalidSignatureException' },
    MISSING_AUTHENTICATION_TOKEN: { status: 403, errorType: 'MissingAuthenticationTokenException' },
    QUOTA_EXCEEDED: { status: 429, errorType: 'LimitExceededException' },
    REQUEST_TOO_LARGE: { status: 413, errorType: 'RequestTooLargeException' },
    RESOURCE_NOT_FOUND: { status: 404, errorType: 'NotFoundException' },
    THROTTLED: { status: 429, errorType: 'TooManyRequestsException' },
    UNAUTHORIZED: { status: 401, errorType: 'UnauthorizedException' },
    UNSUPPORTED_MEDIA_TYPE: { status: 415, errorType: 'UnsupportedMediaTypeException' },
    WAF_FILTERED: { status: 403, errorType: 'WAFFilteredException' },
  }

/** The default body template of every gateway response type. */
export const DEFAULT_GATEWAY_TEMPLATE = '{"message":$context.error.messageString}'
