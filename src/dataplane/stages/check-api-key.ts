import { GatewayError } from '../errors/gateway-error.js'
import { required, type InvocationContext } from '../context.js'
import { headerValue } from '../request.js'
import type { KeyGrant } from '../../auth/api-keys.js'
import type { DataPlaneDeps, Stage, StageOutcome } from '../stage.js'

/**
 * A method with apiKeyRequired needs a key (from `x-api-key`, or the authorizer's
 * usageIdentifierKey with apiKeySource AUTHORIZER) that exists, is enabled and belongs to a usage
 * plan covering this API stage; otherwise 403 {"message":"Forbidden"}, x-amzn-ErrorType
 * ForbiddenException (AWS Knowledge Center "api-gateway-troubleshoot-403-forbidden").
 */
export const checkApiKey: Stage = {
  name: 'checkApiKey',
  run(ctx, deps) {
    const { method } = required(ctx.match, 'match')
    return method.apiKeyRequired ? acceptKey(ctx, deps) : 'continue'
  },
}

function acceptKey(ctx: InvocationContext, deps: DataPlaneDeps): StageOutcome | Promise<StageOutcome> {
  const value =
    ctx.target.deployment.api.apiKeySource === 'AUTHORIZER'
      ? ctx.authorizer?.usageIdentifierKey
      : headerValue(ctx.request.headers, 'x-api-key')
  if (!value) throw new GatewayError('INVALID_API_KEY', 'api_key.missing', 'Forbidden')
  const grant = deps.apiKeys.grant(value, ctx.target.apiId, ctx.target.stageName)
  const accept = (found: KeyGrant | undefined): StageOutcome => {
    if (!found) throw new GatewayError('INVALID_API_KEY', 'api_key.not_accepted', 'Forbidden')
    ctx.keyGrant = found
    return 'continue'
  }
  return grant instanceof Promise ? grant.then(accept) : accept(grant)
}
