import {
  HTTP_METHODS,
  type HttpMethod,
  type Integration,
  type Method,
  type RestApiDocument,
} from '../model/index.js'
import { badRequest, notFound } from './api-error.js'
import type { Input } from './input.js'
import { PATCH_OPS, readPatchOperations, type PatchOperation } from './patch.js'
import { findResource } from './resources.js'
import { ValidationErrors } from './validation.js'

// Not-found texts recorded in test_apigateway_api.snapshot.json (TestApiGatewayApiMethod,
// TestApigatewayIntegration*, TestApigatewayMethodResponse); copied to test/parity/controlplane/.
export const methodNotFound = (): Error => notFound('Invalid Method identifier specified')
export const integrationNotFound = (): Error => notFound('Invalid Integration identifier specified')
export const responseNotFound = (): Error => notFound('Invalid Response status code specified')

const STATUS_PATTERN = '[1-5]\\d\\d'

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
 * method is missing answers "Invalid Method identifier specified" for GetIntegration and
 * Put/GetIntegrationResponse, but "Invalid Integration identifier specified" for
 * DeleteIntegrationResponse (test_delete_integration_response_errors "non-existent-method").
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

/** "Value 'wrong' at 'statusCode' failed to satisfy constraint: ... [1-5]\d\d" (recorded). */
export function checkStatusCode(statusCode: string, errors = new ValidationErrors()): string {
  errors.pattern(statusCode, 'statusCode', STATUS_PATTERN)
  errors.throwIfAny()
  return statusCode
}

/**
 * Reads the patch operations of a response (method or integration) update. AWS validates the
 * whole input at once, so unknown ops and a malformed status code land in one
 * ValidationException, ops first (recorded: update-method-response-invalid-statuscode-and-wrong-op).
 */
export function readResponsePatch(body: Input, inputName: string, statusCode: string): PatchOperation[] {
  const errors = new ValidationErrors()
  const raw = body.raw['patchOperations']
  if (Array.isArray(raw)) {
    raw.forEach((item, index) => {
      const op = item !== null && typeof item === 'object' && !Array.isArray(item) ? item['op'] : undefined
      errors.enumValue(op, `${inputName}.patchOperations.${index + 1}.member.op`, PATCH_OPS)
    })
  }
  checkStatusCode(statusCode, errors)
  return readPatchOperations(body, inputName)
}

/**
 * AWS's backend parses patched booleans as Java's `Boolean.parseBoolean` does: "true" in any
 * case is true, anything else is false (recorded: `/apiKeyRequired` "whatever" gives false,
 * test_update_method_validation "wrong-value-type").
 */
export function javaBoolean(value: string | undefined): boolean {
  return value?.toLowerCase() === 'true'
}

/** "Invalid model identifier specified: petModel" (recorded, test_put_method_validation). */
export function checkModel(doc: RestApiDocument, name: string): void {
  if (!Object.hasOwn(doc.models, name)) throw badRequest(`Invalid model identifier specified: ${name}`)
}

/**
 * The key of a map patched through its path: `/requestModels/application~1json` names
 * `application/json`; an unescaped `/requestModels/application/json` is refused with
 * "Invalid patch path /requestModels/application/json" (recorded, test_update_method_validation).
 */
export function mapPatchKey(op: PatchOperation, rest: readonly string[]): string {
  const [key] = rest
  if (rest.length !== 1 || !key) throw badRequest(`Invalid patch path ${op.path}`)
  return key
}
