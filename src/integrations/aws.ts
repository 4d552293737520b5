import { apiConfigurationError, integrationTimeout } from '../dataplane/errors/gateway-error.js'
import { LambdaError } from '../lambda/service.js'
import type { Integration } from './integration.js'
import { functionFromUri } from './lambda/function-uri.js'
import { invokeForRequest } from './lambda/invoke.js'
import { checkInvokePermission } from './lambda/permission.js'
import { invokeAwsService } from './aws-service.js'

const DEFAULT_TIMEOUT_MS = 29_000

/**
 * AWS (non-proxy) integrations. To Lambda: the request template's output is the payload; the
 * function's answer goes to the integration responses, selected by matching selectionPattern
 * against the errorMessage of a function error, the default response otherwise (AWS docs
 * "handle-errors-in-lambda-integration"). Other AWS services: `aws-service.ts`.
 */
export const awsIntegration: Integration = {
  async invoke(req, ctx, deps) {
    const integration = ctx.match?.method.methodIntegration
    const target = functionFromUri(integration?.uri, ctx.target.stageVariables)
    // Any other service: a signed call to it (the built-in Lambda service answers `lambda` URIs).
    if (!target) return invokeAwsService(req, ctx, deps)
    const timeout = integration?.timeoutInMillis || DEFAULT_TIMEOUT_MS
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(integrationTimeout('lambda.timeout')), timeout)
    })
    try {
      await checkInvokePermission(ctx, deps, target.name)
      const payload = req.body.length === 0 ? Buffer.from('{}') : req.body
      const result = await Promise.race([
        invokeForRequest(ctx, deps, target.name, payload, target.qualifier),
        timedOut,
      ])
      let selector: string | null = null
      if (result.functionError) {
        try {
          const error = JSON.parse(result.payload.toString('utf8')) as { errorMessage?: unknown }
          selector = typeof error.errorMessage === 'string' ? error.errorMessage : ''
        } catch {
          selector = ''
        }
      }
      return { status: 200, headers: [['Content-Type', 'application/json']], body: result.payload, selector }
    } catch (error) {
      if (error instanceof LambdaError) throw apiConfigurationError('lambda.invoke_failed', error)
      throw error
    } finally {
      clearTimeout(timer)
    }
  },
}
