import type { InvocationContext } from '../../dataplane/context.js'
import { headerValue } from '../../dataplane/request.js'
import type { DataPlaneDeps } from '../../dataplane/stage.js'
import type { InvokePayload, InvokeResult } from '../../lambda/service.js'

/**
 * Invokes a function for a data-plane request (an integration or an authorizer): with the request's
 * X-Amzn-Trace-Id, and inside a Lambda span (faas.coldstart, faas.name) when the request is traced.
 */
export function invokeForRequest(
  ctx: InvocationContext,
  deps: DataPlaneDeps,
  name: string,
  payload: InvokePayload,
  qualifier?: string,
): Promise<InvokeResult> {
  const traceHeader = headerValue(ctx.request.headers, 'x-amzn-trace-id')
  const span = ctx.trace?.startLambda(name, deps.lambda.functionArn(name))
  // Untraced, the service's own promise: an async wrapper would add turns of the microtask queue.
  if (!span) return deps.lambda.invoke(name, payload, qualifier, traceHeader)
  return invokeInSpan(deps, span, name, payload, qualifier, traceHeader)
}

async function invokeInSpan(
  deps: DataPlaneDeps,
  span: ReturnType<NonNullable<InvocationContext['trace']>['startLambda']>,
  name: string,
  payload: InvokePayload,
  qualifier: string | undefined,
  traceHeader: string | undefined,
): Promise<InvokeResult> {
  try {
    const result = await deps.lambda.invoke(name, payload, qualifier, traceHeader)
    span.end({
      coldStart: result.coldStart,
      requestId: result.requestId,
      version: result.executedVersion,
      functionError: result.functionError !== undefined,
    })
    return result
  } catch (error) {
    span.end(undefined, error)
    throw error
  }
}
