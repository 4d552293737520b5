import { contextValueText, lookupContext } from './context-variables.js'
import { ownValue } from '../../model/own-keys.js'

/** Where mapping expressions read their values from. */
export interface MappingSource {
  readonly pathParameters: Readonly<Record<string, string>>
  readonly query: ReadonlyMap<string, readonly string[]>
  /** Header values by lower-cased name, every value in order. */
  readonly headers: ReadonlyMap<string, readonly string[]>
  readonly context: Record<string, unknown>
  readonly stageVariables: Readonly<Record<string, string>>
  /** Present for response mappings: the integration's response headers by lower-cased name. */
  readonly integrationResponseHeaders?: ReadonlyMap<string, readonly string[]> | undefined
  readonly integrationResponseBody?: string | undefined
}

/**
 * Evaluates one mapping expression (the right-hand side of a `requestParameters` or
 * `responseParameters` entry): `'literal'`, `method.request.{path|querystring|multivaluequerystring|header|multivalueheader}.NAME`,
 * `context.VAR`, `stageVariables.NAME`, `integration.response.{header|multivalueheader}.NAME`,
 * `integration.response.body`. Multi-value sources give a comma-joined value, as AWS sends them.
 * Returns undefined when the source has no value (AWS then omits the target).
 * Reference: AWS docs "request-response-data-mappings" and "api-gateway-parameter-mapping-sources".
 */
export function evaluateMappingExpression(expression: string, source: MappingSource): string | undefined {
  if (expression.length >= 2 && expression.startsWith("'") && expression.endsWith("'")) {
    return expression.slice(1, -1)
  }
  const [head, kind, ...rest] = expression.split('.')
  const name = rest.join('.')
  if (head === 'method' && kind === 'request') {
    const [location, ...nameParts] = rest
    const paramName = nameParts.join('.')
    switch (location) {
      case 'path':
        return ownValue(source.pathParameters, paramName)
      case 'querystring':
        return source.query.get(paramName)?.at(-1)
      case 'multivaluequerystring':
        return source.query.get(paramName)?.join(',')
      case 'header':
        return source.headers.get(paramName.toLowerCase())?.at(-1)
      case 'multivalueheader':
        return source.headers.get(paramName.toLowerCase())?.join(',')
      default:
        return undefined
    }
  }
  if (head === 'integration' && kind === 'response') {
    const [location, ...nameParts] = rest
    const paramName = nameParts.join('.')
    if (location === 'body' && nameParts.length === 0) return source.integrationResponseBody
    if (location === 'header') return source.integrationResponseHeaders?.get(paramName.toLowerCase())?.at(-1)
    if (location === 'multivalueheader')
      return source.integrationResponseHeaders?.get(paramName.toLowerCase())?.join(',')
    return undefined
  }
  if (head === 'context') {
    return contextValueText(lookupContext(source.context, [kind, ...rest].join('.')))
  }
  if (head === 'stageVariables' && kind !== undefined) {
    return ownValue(source.stageVariables, [kind, name].filter(Boolean).join('.'))
  }
  return undefined
}

/** Mapped request parameters, by target location. */
export interface MappedParameters {
  header: [string, string][]
  querystring: [string, string][]
  path: Record<string, string>
}

/** Evaluates an integration's `requestParameters` (`integration.request.{header|querystring|path}.NAME` -> expression). */
export function mapRequestParameters(
  mappings: Readonly<Record<string, string>> | undefined,
  source: MappingSource,
): MappedParameters {
  const out: MappedParameters = { header: [], querystring: [], path: {} }
  for (const [target, expression] of Object.entries(mappings ?? {})) {
    const match =
      /^integration\.request\.(header|querystring|path|multivaluequerystring|multivalueheader)\.(.+)$/.exec(
        target,
      )
    if (!match) continue
    const value = evaluateMappingExpression(expression, source)
    if (value === undefined) continue
    const [, location, name] = match as unknown as [string, string, string]
    if (location === 'path') out.path[name] = value
    else if (location === 'header' || location === 'multivalueheader') out.header.push([name, value])
    else out.querystring.push([name, value])
  }
  return out
}

/** Evaluates `responseParameters` targeting `{prefix}.header.NAME` (method.response or gatewayresponse). */
export function mapResponseHeaders(
  mappings: Readonly<Record<string, string>> | undefined,
  prefix: 'method.response' | 'gatewayresponse',
  source: MappingSource,
): [string, string][] {
  const out: [string, string][] = []
  const headerPrefix = `${prefix}.header.`
  for (const [target, expression] of Object.entries(mappings ?? {})) {
    if (!target.startsWith(headerPrefix)) continue
    const value = evaluateMappingExpression(expression, source)
    if (value !== undefined) out.push([target.slice(headerPrefix.length), value])
  }
  return out
}

/** Substitutes `${stageVariables.NAME}` in an integration URI (a missing variable renders empty, as on AWS). */
export function substituteStageVariables(
  text: string,
  stageVariables: Readonly<Record<string, string>>,
): string {
  if (!text.includes('${stageVariables.')) return text
  // A stage's variables never change in place (an update makes a new stage version): the same URI
  // gives the same text for every request of the version.
  let known = substituted.get(stageVariables)
  if (!known) substituted.set(stageVariables, (known = new Map<string, string>()))
  let out = known.get(text)
  if (out === undefined) {
    out = text.replace(
      /\$\{stageVariables\.([A-Za-z0-9_.-]+)\}/g,
      (_, name: string) => ownValue(stageVariables, name) ?? '',
    )
    if (known.size < 256) known.set(text, out)
  }
  return out
}
const substituted = new WeakMap<Readonly<Record<string, string>>, Map<string, string>>()
