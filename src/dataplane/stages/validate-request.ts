import { required } from '../context.js'
import { badRequestBody, badRequestParameters } from '../errors/gateway-error.js'
import { headerValue } from '../request.js'
import type { Stage } from '../stage.js'
import { parseJsonBody, selectBodyModel } from '../validation/body.js'
import { describeValidationErrors } from '../validation/describe.js'
import { missingParameters, missingParametersMessage } from '../validation/parameters.js'

/**
 * The method's request validator (AWS docs "api-gateway-method-request-validation"). Parameters
 * come first, so a request failing both is answered BAD_REQUEST_PARAMETERS (LocalStack's
 * handlers/method_request.py, whose behaviour is recorded against AWS):
 * 400 {"message": "Missing required request parameters: [a, b]"}. Then the body against the
 * model for its content type: 400 {"message": "Invalid request body"} (recorded,
 * test_apigateway_common.snapshot.json "invalid-request-body"). The details go to
 * `$context.error.validationErrorString`.
 */
export const validateRequest: Stage = {
  name: 'validateRequest',
  run(ctx) {
    const { method, pathParameters } = required(ctx.match, 'match')
    const validation = ctx.target.deployment.validators.forMethod(method)
    if (!validation) return 'continue'

    if (validation.requiredParameters) {
      const { query, headers } = ctx.request
      const missing = missingParameters(validation.requiredParameters, { pathParameters, query, headers })
      if (missing.length > 0)
        throw badRequestParameters('validate.missing_parameters', missingParametersMessage(missing))
    }

    const model =
      validation.bodyModels &&
      selectBodyModel(validation.bodyModels, headerValue(ctx.request.headers, 'content-type'))
    if (!model) return 'continue'
    if ('unusable' in model)
      throw badRequestBody('validate.model_unusable', `[model ${model.modelName}: ${model.unusable}]`)
    const body = parseJsonBody(ctx.request.body)
    if (!body.ok) throw badRequestBody('validate.invalid_json', body.reason)
    if (!model.validate(body.value))
      throw badRequestBody('validate.invalid_body', describeValidationErrors(model.validate.errors))
    return 'continue'
  },
}
