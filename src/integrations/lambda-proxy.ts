import {
  apiConfigurationError,
  badLambdaResponse,
  integrationTimeout,
} from '../dataplane/errors/gateway-error.js'
import { isBinaryMediaType } from '../dataplane/mapping/content-handling.js'
import { headerValue } from '../dataplane/request.js'
import { LambdaError } from '../lambda/service.js'
import type { Integration } from './integration.js'
import { functionFromUri } from './lambda/function-uri.js'
import { invokeForRequest } from './lambda/invoke.js'
import { checkInvokePermission } from './lambda/permission.js'
import { buildProxyEvent } from './lambda/proxy-event.js'
import { parseProxyResponse } from './lambda/proxy-response.js'

const DEFAULT_TIMEOUT_MS = 29_000

/**
 * AWS_PROXY to the built-in Lambda service: the proxy event in, the proxy response out. An
 * integration whose httpMethod is not POST is a 500 (recorded); a function error or a malformed
 * response a 502; no answer within timeoutInMillis a 504.
 */
export const lambdaProxyIntegration: Integration = {
  async invoke(_req, ctx, deps) {
    const integration = ctx.match?.method.methodIntegration
    if (integration?.httpMethod !== 'POST') throw apiConfigurationError('lambda.proxy_method_not_post')
    const target = functionFromUri(integration.uri, ctx.target.stageVariables)
    if (!target) throw apiConfigurationError('lambda.invalid_uri')
    const event = buildProxyEvent(ctx, deps)
    const timeout = integration.timeoutInMillis || DEFAULT_TIMEOUT_MS
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(integrationTimeout('lambda.timeout')), timeout)
    })
    try {
      const checking = checkInvokePermission(ctx, deps, target.name)
      if (checking) await checking
      const result = await Promise.race([
        invokeForRequest(ctx, deps, target.name, { event }, target.qualifier),
        timedOut,
      ])
      if (result.functionError) throw badLambdaResponse('lambda.function_error', result.payload.toString())
      const accept = headerValue(ctx.request.headers, 'accept')
      const response = parseProxyResponse(
        result.payload.toString('utf8'),
        isBinaryMediaType(accept, ctx.target.deployment.api.binaryMediaTypes),
      )
      if (!response) throw badLambdaResponse('lambda.malformed_response', result.payload.toString())
      return response
    } catch (error) {
      if (error instanceof LambdaError) {
        // A missing function or a refused invoke: AWS answers 500 (AWS-BEHAVIOR §3.1, AccessDenied path).
        throw apiConfigurationError('lambda.invoke_failed', error)
      }
      throw error
    } finally {
      clearTimeout(timer)
    }
  },
}
