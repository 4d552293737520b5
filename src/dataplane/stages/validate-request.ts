import { badRequestBody, badRequestParameters } from '../errors/gateway-error.js'
import { required } from '../context.js'
import { mediaType } from '../mapping/templates.js'
import { headerValue } from '../request.js'
import type { Stage } from '../stage.js'
import { describeValidationErrors } from '../validation/compile.js'

/**
 * The method's request validator (AWS docs "api-gateway-method-request-validation"): required
 * parameters first — "Missing required request parameters: [a, b]", names in the order of their
 * sorted full keys (recorded) — then the body against the model for its content type (an empty
 * body is validated as `{}`; a body that is not JSON fails) — "Invalid request body".
 */
export const validateRequest: Stage = {
  name: 'validateRequest',
  run(ctx) {
    const { method, pathParameters } = required(ctx.match, 'match')
    const validation = ctx.target.deployment.validators.forMethod(method)
    if (!validation) return 'continue'
    if (validation.requiredParameters) {
      const missing = validation.requiredParameters.filter((key) => {
        const [, , location = '', ...rest] = key.split('.')
        const name = rest.join('.')
        switch (location) {
          case 'path':
            return !pathParameters[name]
          case 'querystring':
          case 'multivaluequerystring':
            return !ctx.request.query.has(name)
          case 'header':
          case 'multivalueheader':
            return headerValue(ctx.request.headers, name) === undefined
          default:
            return false
        }
      })
      if (missing.length > 0) {
        const names = missing.map((key) => key.split('.').slice(3).join('.'))
        throw badRequestParameters(
          'validate.missing_parameters',
          `Missing required request parameters: [${names.join(', ')}]`,
        )
      }
    }
    if (validation.bodyModels && validation.bodyModels.size > 0) {
      const type = mediaType(headerValue(ctx.request.headers, 'content-type')) ?? 'application/json'
      const validate = validation.bodyModels.get(type) ?? validation.bodyModels.get('$default')
      if (validate) {
        const text = ctx.request.body.toString('utf8')
        let body: unknown
        try {
          body = text.trim() === '' ? {} : JSON.parse(text)
        } catch (error) {
          throw badRequestBody('validate.invalid_json', `[Invalid JSON: ${(error as Error).message}]`)
        }
        if (!validate(body))
          throw badRequestBody('validate.invalid_body', describeValidationErrors(validate.errors))
      }
    }
    return 'continue'
  },
}
