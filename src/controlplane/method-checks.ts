import {
  AUTHORIZATION_TYPES,
  type AuthorizationType,
  type Method,
  type RestApiDocument,
} from '../model/index.js'
import { badRequest } from './api-error.js'

/**
 * AWS upper-cases the authorization type (recorded: "none" is answered as "NONE",
 * test_apigateway_integrations.snapshot.json test_put_integration_responses "put-method-put").
 * It is a plain string in AWS's model, so an unknown one is a BadRequestException, not a
 * ValidationException; the wording is not recorded.
 */
export function checkAuthorizationType(value: string): AuthorizationType {
  const upper = value.toUpperCase()
  if (!(AUTHORIZATION_TYPES as readonly string[]).includes(upper)) {
    throw badRequest('Invalid authorization type specified')
  }
  return upper as AuthorizationType
}

/**
 * CUSTOM needs a TOKEN or REQUEST authorizer of the API and COGNITO_USER_POOLS a user pool one
 * (recorded "missing-authorizer-id", "wrong-auth-type", "wrong-auth-id", all with one message);
 * with NONE or AWS_IAM an authorizer id is dropped, as AWS ignores it (recorded
 * "skip-auth-id-with-wrong-type").
 */
export function settleAuthorizer(method: Method, doc: RestApiDocument): void {
  if (method.authorizationType !== 'CUSTOM' && method.authorizationType !== 'COGNITO_USER_POOLS') {
    delete method.authorizerId
    return
  }
  const authorizers = doc.authorizers ?? {}
  const authorizer =
    method.authorizerId !== undefined && Object.hasOwn(authorizers, method.authorizerId)
      ? authorizers[method.authorizerId]
      : undefined
  const fits =
    authorizer !== undefined &&
    (authorizer.type === 'COGNITO_USER_POOLS') === (method.authorizationType === 'COGNITO_USER_POOLS')
  if (!fits) {
    throw badRequest(
      'Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.',
    )
  }
}

const REQUEST_PARAMETER =
  /^method\.request\.(querystring|header|path|multivaluequerystring|multivalueheader)\.(.+)$/

/**
 * `method.request.{querystring|header|path}.NAME` keys, with names unique across locations
 * (recorded "req-params-same-name"); anything else is refused as recorded for the key `true`
 * (test_put_integration_request_parameter_bool_type "put-method-request-param-wrong-type").
 */
export function checkRequestParameterNames(keys: readonly string[]): void {
  const names = new Set<string>()
  for (const key of keys) {
    const name = REQUEST_PARAMETER.exec(key)?.[2]
    if (!name) {
      throw badRequest(
        `Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: ${key}]`,
      )
    }
    if (names.has(name))
      throw badRequest('Parameter names must be unique across querystring, header and path')
    names.add(name)
  }
}

/** "Invalid Request Validator identifier specified" (recorded). */
export function checkValidator(doc: RestApiDocument, id: string): void {
  if (!Object.hasOwn(doc.requestValidators, id))
    throw badRequest('Invalid Request Validator identifier specified')
}
