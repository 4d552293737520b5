import type { RouteNode, RouteTable } from './compile.js'

export interface ResourceMatch {
  resourceId: string
  /** Path parameters exactly as they appeared in the URL: AWS does not URL-decode them. */
  pathParameters: Record<string, string>
}

/**
 * Finds the resource for a request path (the part after the stage, still percent-encoded).
 *
 * AWS's rules, recorded in AWS-BEHAVIOR §3.2 (test_lambda_aws_proxy_integration recordings):
 * a literal part beats `{param}`, which beats `{proxy+}`; a trailing slash is ignored for
 * matching (and not part of a greedy value); leading slashes are ignored; empty segments inside
 * the path never match a literal or `{param}` but stay inside a greedy value
 * (`proxy-value//double-slash`); `{proxy+}` needs at least one segment.
 */
export function matchResource(table: RouteTable, rawPath: string): ResourceMatch | undefined {
  let path = rawPath.replace(/^\/+/, '')
  if (path.endsWith('/')) path = path.slice(0, -1)
  const segments = path === '' ? [] : path.split('/')
  const params: Record<string, string> = {}
  const node = walk(table.root, segments, 0, params)
  return node ? { resourceId: node.resourceId, pathParameters: params } : undefined
}

function walk(
  node: RouteNode,
  segments: readonly string[],
  index: number,
  params: Record<string, string>,
): RouteNode | undefined {
  if (index === segments.length) return node
  const segment = segments[index] as string
  if (segment !== '') {
    const literal = node.literals.get(segment)
    const viaLiteral = literal && walk(literal, segments, index + 1, params)
    if (viaLiteral) return viaLiteral
    if (node.variable) {
      const viaVariable = walk(node.variable.node, segments, index + 1, params)
      if (viaVariable) {
        params[node.variable.name] = segment
        return viaVariable
      }
    }
  }
  if (node.greedy) {
    const rest = segments.slice(index).join('/')
    if (rest !== '') {
      params[node.greedy.name] = rest
      return node.greedy.node
    }
  }
  return undefined
}
