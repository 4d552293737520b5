import { substituteStageVariables } from '../../dataplane/mapping/parameters.js'
import { BoundedCache } from '../../model/bounded-cache.js'

/**
 * The function an integration URI names:
 * `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations`, with
 * stage variables substituted (`function:${stageVariables.fn}`, `function:name:${stageVariables.alias}`;
 * AWS docs "aws-api-gateway-stage-variables-reference").
 */
export function functionFromUri(
  uri: string | undefined,
  stageVariables: Readonly<Record<string, string>>,
): FunctionTarget | undefined {
  const resolved = substituteStageVariables(uri ?? '', stageVariables)
  const found = targets.get(resolved, parseTarget, resolved.length <= 2_048)
  return found === NO_FUNCTION ? undefined : found
}

export interface FunctionTarget {
  readonly name: string
  readonly qualifier?: string
}

/**
 * Targets by resolved URI text: a stage version's URI is the same text on every request, and two
 * regular expressions per request were ~0.5% of an AWS_PROXY request (profiled 2026-12-07). Up to
 * 1,000 texts (BoundedCache); a URI naming no function is kept too, as NO_FUNCTION.
 */
const targets = new BoundedCache<string, FunctionTarget>(1_000)
const NO_FUNCTION: FunctionTarget = Object.freeze({ name: '' })

function parseTarget(resolved: string): FunctionTarget {
  const match = /:lambda:path\/2015-03-31\/functions\/(.+)\/invocations$/.exec(resolved)
  if (!match?.[1]) return NO_FUNCTION
  let decoded: string
  try {
    decoded = decodeURIComponent(match[1])
  } catch {
    return NO_FUNCTION
  }
  const arn = /^(?:arn:aws[\w-]*:lambda:[^:]*:\d*:function:)?([A-Za-z0-9_-]+)(?::([\w$-]+))?$/.exec(decoded)
  if (!arn?.[1]) return NO_FUNCTION
  return Object.freeze({ name: arn[1], ...(arn[2] ? { qualifier: arn[2] } : {}) })
}
