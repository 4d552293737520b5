import {
  HTTP_METHODS,
  type HttpMethod,
  type Integration,
  type Method,
  type RestApiDocument,
} from '../model/index.js'
import { badRequest, notFound } from './api-error.js'
import { findResource } from './resources.js'

export const methodNotFound = (): Error => notFound('Invalid Method identifier specified')
export const integrationNotFound = (): Error => notFound('Invalid Integration identifier specified')
export const responseNotFound = (): Error => notFound('Invalid Response status code specified')

/** Checks an HTTP method path parameter: "Invalid HttpMethod specified. Valid options are ..." (recorded). */
export function checkHttpMethod(value: string): HttpMethod {
  const upper = value.toUpperCase()
  if (!(HTTP_METHODS as readonly string[]).includes(upper)) {
    throw badRequest(`Invalid HttpMethod specified. Valid options are ${HTTP_METHODS.join(',')}`)
  }
  return upper as HttpMethod
}

/** A method of a resource, or AWS's not-found errors (resource first, then method). */
export function findMethod(doc: RestApiDocument, resourceId: string, httpMethod: string): Method {
  const resource = findResource(doc, resourceId)
  const method = resource.resourceMethods?.[httpMethod.toUpperCase() as HttpMethod]
  if (!method) throw methodNotFound()
  return method
}

/**
 * A method's integration. Recorded: an integration looked up on an existing resource whose
 * method is missing answers "Invalid Method identifier specified" for GetIntegration, but
 * "Invalid Integration identifier specified" for integration responses (test_delete_integration_response_errors).
 */
export function findIntegration(
  doc: RestApiDocument,
  resourceId: string,
  httpMethod: string,
  missingMethod: () => Error = methodNotFound,
): Integration {
  const resource = findResource(doc, resourceId)
  const method = resource.resourceMethods?.[httpMethod.toUpperCase() as HttpMethod]
  if (!method) throw missingMethod()
  if (!method.methodIntegration) throw integrationNotFound()
  return method.methodIntegration
}
