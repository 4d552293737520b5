import type { InvocationContext } from '../../dataplane/context.js'
import { deployedRegExp } from '../../dataplane/deployed-regexp.js'
import { apiConfigurationError } from '../../dataplane/errors/gateway-error.js'
import type { DataPlaneDeps } from '../../dataplane/stage.js'

/**
 * `*` in a SourceArn matches anything (IAM's ArnLike); everything else literally. The expression
 * is compiled once per pattern (deployedRegExp), not on every request the policy is checked for.
 */
function arnLike(pattern: string, arn: string): boolean {
  const regex = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
    .join('.*')
  return deployedRegExp(`^${regex}$`)?.test(arn) ?? false
}

/**
 * With `enforceLambdaPermissions`, an integration without credentials may invoke a function only
 * if the function's resource policy allows apigateway.amazonaws.com for this method's source ARN
 * `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}{resourcePath}` (AWS docs
 * "permissions-for-api-gateway"; a refusal is a 500, AWS-BEHAVIOR §3.1).
 */
export function checkInvokePermission(
  ctx: InvocationContext,
  deps: DataPlaneDeps,
  functionName: string,
): Promise<void> | undefined {
  // Nothing to check (the default): answered at once, not as a promise to wait a turn for.
  const integration = ctx.match?.method.methodIntegration
  if (!deps.enforceLambdaPermissions || integration?.credentials) return undefined
  return checkPolicy(ctx, deps, functionName)
}

async function checkPolicy(ctx: InvocationContext, deps: DataPlaneDeps, functionName: string): Promise<void> {
  const record = await deps.lambda.resolve(functionName)
  const sourceArn = `arn:aws:execute-api:${deps.region}:${deps.accountId}:${ctx.target.apiId}/${ctx.target.stageName}/${ctx.match?.methodKey ?? ''}${ctx.match?.resource.path ?? ''}`
  const allowed = (record.policy?.Statement ?? []).some((statement) => {
    const principal = statement['Principal'] as { Service?: string } | undefined
    const action = statement['Action']
    const condition = (statement['Condition'] as { ArnLike?: Record<string, string> } | undefined)?.ArnLike?.[
      'AWS:SourceArn'
    ]
    return (
      statement['Effect'] === 'Allow' &&
      principal?.Service === 'apigateway.amazonaws.com' &&
      (action === 'lambda:InvokeFunction' || action === 'lambda:*') &&
      (condition === undefined || arnLike(condition, sourceArn))
    )
  })
  if (!allowed) throw apiConfigurationError('lambda.permission_denied')
}
