import { ApiError } from '../controlplane/api-error.js'
import type { Handler, ManagementDeps } from '../controlplane/router.js'
import { LambdaError, type LambdaService } from './service.js'

/** A function name, a full or partial ARN, with an optional `:qualifier`, reduced to the name. */
export function functionName(param: string): { name: string; qualifier?: string } {
  const arn = /^(?:arn:aws[\w-]*:lambda:[^:]+:\d{12}:function:)?([A-Za-z0-9_-]+)(?::([\w$-]+))?$/.exec(param)
  if (!arn?.[1]) throw new ApiError('InvalidParameterValueException', `Invalid function name: ${param}`)
  return { name: arn[1], ...(arn[2] ? { qualifier: arn[2] } : {}) }
}

/** Runs a Lambda API handler, turning the service's errors into AWS's. */
export const lambdaRoute =
  (
    run: (req: Parameters<Handler>[0], deps: ManagementDeps, lambda: LambdaService) => ReturnType<Handler>,
  ): Handler =>
  async (req, deps) => {
    try {
      return await run(req, deps, deps.lambda)
    } catch (error) {
      if (error instanceof LambdaError) {
        throw new ApiError(
          error.type === 'TooManyRequestsException' ? 'TooManyRequestsException' : error.type,
          error.message,
        )
      }
      throw error
    }
  }
