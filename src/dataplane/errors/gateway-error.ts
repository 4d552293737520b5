import type { GatewayResponseType } from '../../model/index.js'

/**
 * Why the gateway answered with an error, unique per throw site (e.g. `route.no_resource`). It goes
 * to the access log so "why did the gateway say 403?" is one grep; docs/errors.md lists them all.
 */
export type DetailCode = `${string}.${string}`

/**
 * A failure the gateway answers itself, rendered through the API's gateway responses (the type
 * picks the customised response, else DEFAULT_4XX / DEFAULT_5XX, else AWS's default).
 */
export class GatewayError extends Error {
  constructor(
    readonly type: GatewayResponseType,
    readonly detail: DetailCode,
    message: string,
    options?: {
      cause?: unknown
      validationErrorString?: string
      status?: number
      builtinBody?: string
      errorType?: string
    },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.validationErrorString = options?.validationErrorString
    this.status = options?.status
    this.builtinBody = options?.builtinBody
    this.errorType = options?.errorType
  }
  /** An x-amzn-ErrorType other than the type's (IAM's UnrecognizedClientException, IncompleteSignatureException). */
  readonly errorType: string | undefined
  readonly validationErrorString: string | undefined
  /** A status other than the type's default (a Lambda proxy failure is a 502 DEFAULT_5XX). */
  readonly status: number | undefined
  /**
   * The body template when the API customised neither this type nor its DEFAULT_4XX/5XX, where
   * AWS's own body differs from `{"message": ...}` (an authorizer's deny, its configuration error).
   */
  readonly builtinBody: string | undefined
}

// AWS's default messages (docs: supported-gateway-response-types; recorded where noted in the tests).
export const missingAuthenticationToken = (detail: DetailCode): GatewayError =>
  new GatewayError('MISSING_AUTHENTICATION_TOKEN', detail, 'Missing Authentication Token')
export const apiConfigurationError = (detail: DetailCode, cause?: unknown): GatewayError =>
  new GatewayError('API_CONFIGURATION_ERROR', detail, 'Internal server error', { cause })
export const integrationFailure = (detail: DetailCode, cause?: unknown): GatewayError =>
  new GatewayError('INTEGRATION_FAILURE', detail, 'Internal server error', { cause })
export const integrationTimeout = (detail: DetailCode, cause?: unknown): GatewayError =>
  new GatewayError('INTEGRATION_TIMEOUT', detail, 'Endpoint request timed out', { cause })
export const requestTooLarge = (detail: DetailCode): GatewayError =>
  new GatewayError('REQUEST_TOO_LARGE', detail, 'Request Too Long')
export const unsupportedMediaType = (detail: DetailCode): GatewayError =>
  new GatewayError('UNSUPPORTED_MEDIA_TYPE', detail, 'Unsupported Media Type')
export const badRequestParameters = (detail: DetailCode, message: string): GatewayError =>
  new GatewayError('BAD_REQUEST_PARAMETERS', detail, message, { validationErrorString: message })
export const badRequestBody = (detail: DetailCode, validationErrorString: string): GatewayError =>
  new GatewayError('BAD_REQUEST_BODY', detail, 'Invalid request body', { validationErrorString })
/**
 * State shared by the gateway nodes (Redis) is unreachable under `--redis-failure-policy closed`:
 * 503, as AWS answers when a service behind the gateway is unavailable.
 */
export const serviceUnavailable = (detail: DetailCode, cause?: unknown): GatewayError =>
  new GatewayError('DEFAULT_5XX', detail, 'Service Unavailable', { cause, status: 503 })
/** A bug or an unexpected failure inside the gateway: logged, answered as a plain 500. */
export const internalError = (detail: DetailCode, cause?: unknown): GatewayError =>
  new GatewayError('DEFAULT_5XX', detail, 'Internal server error', { cause })
/**
 * A Lambda proxy integration that failed: an unhandled function error or a malformed response.
 * AWS answers 502 {"message": "Internal server error"} (AWS docs "set-up-lambda-proxy-integrations";
 * recorded in test_aws_proxy_response_payload_format_validation).
 */
export const badLambdaResponse = (detail: DetailCode, cause?: unknown): GatewayError =>
  new GatewayError('DEFAULT_5XX', detail, 'Internal server error', { cause, status: 502 })
