import { substituteStageVariables } from '../../dataplane/mapping/parameters.js'

/**
 * The function an integration URI names:
 * `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations`, with
 * stage variables substituted (`function:${stageVariables.fn}`, `function:name:${stageVariables.alias}`;
 * AWS docs "aws-api-gateway-stage-variables-reference").
 */
export function functionFromUri(
  uri: string | undefined,
  stageVariables: Readonly<Record<string, string>>,
): { name: string; qualifier?: string } | undefined {
  const resolved = substituteStageVariables(uri ?? '', stageVariables)
  const match = /:lambda:path\/2015-03-31\/functions\/(.+)\/invocations$/.exec(resolved)
  if (!match?.[1]) return undefined
  const arn = /^(?:arn:aws[\w-]*:lambda:[^:]*:\d*:function:)?([A-Za-z0-9_-]+)(?::([\w$-]+))?$/.exec(
    decodeURIComponent(match[1]),
  )
  if (!arn?.[1]) return undefined
  return { name: arn[1], ...(arn[2] ? { qualifier: arn[2] } : {}) }
}
