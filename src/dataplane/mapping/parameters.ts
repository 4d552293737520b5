import { contextValueText, lookupContext } from './context-variables.js'
import { ownValue } from '../../model/own-keys.js'
import { BoundedCache } from '../../model/bounded-cache.js'

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
  return evaluateParsed(parsedExpressions.get(expression, parseExpression), source)
}

/**
 * A mapping expression taken apart once: expressions are a deployment's text, and splitting and
 * joining them on every request was ~1% of an HTTP_PROXY request (profiled 2026-12-07). Up to 1,000
 * texts, all dropped at once when full (BoundedCache).
 */
type ParsedExpression =
  | { readonly from: 'literal'; readonly value: string }
  | {
      readonly from: 'method'
      readonly location: string | undefined
      readonly name: string
      readonly lower: string
    }
  | {
      readonly from: 'integration'
      readonly location: string | undefined
      readonly lower: string
      readonly bodyOnly: boolean
    }
  | { readonly from: 'context'; readonly path: string }
  | { readonly from: 'stageVariables'; readonly name: string }
  | { readonly from: 'nothing' }

const parsedExpressions = new BoundedCache<string, ParsedExpression>(1_000)

function parseExpression(expression: string): ParsedExpression {
  if (expression.length >= 2 && expression.startsWith("'") && expression.endsWith("'")) {
    return { from: 'literal', value: expression.slice(1, -1) }
  }
  const [head, kind, ...rest] = expression.split('.')
  const name = rest.join('.')
  if (head === 'method' && kind === 'request') {
    const [location, ...nameParts] = rest
    const paramName = nameParts.join('.')
    return { from: 'method', location, name: paramName, lower: paramName.toLowerCase() }
  }
  if (head === 'integration' && kind === 'response') {
    const [location, ...nameParts] = rest
    return {
      from: 'integration',
      location,
      lower: nameParts.join('.').toLowerCase(),
      bodyOnly: nameParts.length === 0,
    }
  }
  if (head === 'context') return { from: 'context', path: [kind, ...rest].join('.') }
  if (head === 'stageVariables' && kind !== undefined)
    return { from: 'stageVariables', name: [kind, name].filter(Boolean).join('.') }
  return { from: 'nothing' }
}

function evaluateParsed(expression: ParsedExpression, source: MappingSource): string | undefined {
  switch (expression.from) {
    case 'literal':
      return expression.value
    case 'method':
      switch (expression.location) {
        case 'path':
          return ownValue(source.pathParameters, expression.name)
        case 'querystring':
          return source.query.get(expression.name)?.at(-1)
        case 'multivaluequerystring':
          return source.query.get(expression.name)?.join(',')
        case 'header':
          return source.headers.get(expression.lower)?.at(-1)
        case 'multivalueheader':
          return source.headers.get(expression.lower)?.join(',')
        default:
          return undefined
      }
    case 'integration':
      if (expression.location === 'body' && expression.bodyOnly) return source.integrationResponseBody
      if (expression.location === 'header')
        return source.integrationResponseHeaders?.get(expression.lower)?.at(-1)
      if (expression.location === 'multivalueheader')
        return source.integrationResponseHeaders?.get(expression.lower)?.join(',')
      return undefined
    case 'context':
      return contextValueText(lookupContext(source.context, expression.path))
    case 'stageVariables':
      return ownValue(source.stageVariables, expression.name)
    case 'nothing':
      return undefined
  }
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
  if (!mappings) return out
  for (const { location, name, expression } of requestTargets(mappings)) {
    const value = evaluateParsed(expression, source)
    if (value === undefined) continue
    if (location === 'path') out.path[name] = value
    else if (location === 'header' || location === 'multivalueheader') out.header.push([name, value])
    else out.querystring.push([name, value])
  }
  return out
}

interface ParsedTarget {
  readonly location: string
  readonly name: string
  readonly expression: ParsedExpression
}

/** A deployment's requestParameters taken apart once (a deployment never changes them). */
function requestTargets(mappings: Readonly<Record<string, string>>): readonly ParsedTarget[] {
  let targets = parsedRequestTargets.get(mappings)
  if (!targets) {
    const list: ParsedTarget[] = []
    for (const [target, expression] of Object.entries(mappings)) {
      const match = REQUEST_TARGET.exec(target)
      if (!match) continue
      const [, location, name] = match as unknown as [string, string, string]
      list.push({ location, name, expression: parseExpression(expression) })
    }
    parsedRequestTargets.set(mappings, (targets = list))
  }
  return targets
}
const REQUEST_TARGET =
  /^integration\.request\.(header|querystring|path|multivaluequerystring|multivalueheader)\.(.+)$/
const parsedRequestTargets = new WeakMap<object, readonly ParsedTarget[]>()

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
