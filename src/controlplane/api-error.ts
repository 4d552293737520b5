/** AWS error types the management API answers with (the `x-amzn-ErrorType` header). */
export type ApiErrorType =
  | 'NotFoundException'
  | 'BadRequestException'
  | 'ConflictException'
  | 'ValidationException'
  | 'SerializationException'
  | 'LimitExceededException'
  | 'TooManyRequestsException'
  | 'UnauthorizedException'
  | 'UnknownOperationException'
  | 'InternalFailure'
  | 'ResourceNotFoundException'
  | 'ResourceConflictException'
  | 'InvalidParameterValueException'
  | 'InvalidRequestContentException'
  | 'MissingAuthenticationTokenException'
  | 'IncompleteSignatureException'
  | 'UnrecognizedClientException'
  | 'InvalidSignatureException'
  | 'AccessDeniedException'
  | 'ServiceUnavailableException'

const STATUS: Record<ApiErrorType, number> = {
  NotFoundException: 404,
  BadRequestException: 400,
  ConflictException: 409,
  ValidationException: 400,
  SerializationException: 400,
  LimitExceededException: 429,
  TooManyRequestsException: 429,
  UnauthorizedException: 401,
  UnknownOperationException: 404,
  InternalFailure: 500,
  ResourceNotFoundException: 404,
  ResourceConflictException: 409,
  InvalidParameterValueException: 400,
  InvalidRequestContentException: 400,
  MissingAuthenticationTokenException: 403,
  IncompleteSignatureException: 403,
  UnrecognizedClientException: 403,
  InvalidSignatureException: 403,
  AccessDeniedException: 403,
  ServiceUnavailableException: 503,
}

/**
 * A management-API failure, rendered as `{"message": ...}` with `x-amzn-ErrorType`. Thrown
 * inside a store transaction, it rolls the transaction back: a failed call changes nothing.
 */
export class ApiError extends Error {
  readonly status: number
  constructor(
    readonly type: ApiErrorType,
    message: string,
  ) {
    super(message)
    this.status = STATUS[type]
  }
}

export const notFound = (message: string): ApiError => new ApiError('NotFoundException', message)
export const badRequest = (message: string): ApiError => new ApiError('BadRequestException', message)
export const conflict = (message: string): ApiError => new ApiError('ConflictException', message)
export const serializationError = (message: string): ApiError =>
  new ApiError('SerializationException', message)
