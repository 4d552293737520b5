import { apiConfigurationError, badRequestParameters } from '../errors/gateway-error.js'
import { required } from '../context.js'
import { chooseRequestTemplate } from '../mapping/templates.js'
import { renderTemplate, templateVariables } from '../mapping/render-template.js'
import type { TemplateOverrides } from '../mapping/velocity/index.js'
import { convertContent, isBinaryMediaType } from '../mapping/content-handling.js'
import {
  mapRequestParameters,
  substituteStageVariables,
  type MappedParameters,
} from '../mapping/parameters.js'
import { requestMappingSource } from '../mapping/source.js'
import { BoundedCache } from '../../model/bounded-cache.js'
import { ownValue } from '../../model/own-keys.js'
import { headerNameSet, headerValue, type HeaderEntry } from '../request.js'
import type { Stage } from '../stage.js'

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) and those the HTTP client sets itself: never forwarded
 * to an HTTP backend.
 */
const notForwarded = headerNameSet([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
])

/**
 * Builds the endpoint request: parameter mappings, the request template (or passthrough),
 * stage variables in the URI. Proxy integrations forward the client's method, query string,
 * headers and body as they came (AWS docs "set-up-http-proxy-integrations").
 */
export const buildIntegrationRequest: Stage = {
  name: 'buildIntegrationRequest',
  run(ctx, deps) {
    // A cache hit answers without calling the integration.
    if (ctx.cache?.hit) return 'continue'
    const { method } = required(ctx.match, 'match')
    const integration = method.methodIntegration
    if (!integration) throw apiConfigurationError('integration_request.no_integration')
    const source = requestMappingSource(ctx, deps)
    const mapped = mapRequestParameters(integration.requestParameters, source)
    const isProxy = integration.type === 'HTTP_PROXY' || integration.type === 'AWS_PROXY'

    let body = ctx.request.body
    const headers: HeaderEntry[] = []
    if (isProxy) {
      for (const entry of ctx.request.headers) if (!notForwarded(entry[0])) headers.push(entry)
    } else {
      const contentType = headerValue(ctx.request.headers, 'content-type')
      body = convertContent(
        body,
        isBinaryMediaType(contentType, ctx.target.deployment.api.binaryMediaTypes),
        integration.contentHandling,
      )
      const choice = chooseRequestTemplate(
        integration.requestTemplates,
        contentType,
        integration.passthroughBehavior,
      )
      if (choice.kind === 'template') {
        const result = renderTemplate(
          ctx,
          choice.template,
          () => templateVariables(ctx, deps, body.toString('utf8')),
          'integration_request.template_failed',
        )
        body = Buffer.from(result.output)
        headers.push(['Content-Type', choice.contentType])
        applyRequestOverrides(mapped, result.overrides.request)
        ctx.responseOverrides = result.overrides.response
      } else if (contentType !== undefined) {
        headers.push(['Content-Type', contentType])
      }
    }
    // Non-proxy integrations carry the trace header too (proxies forward the request's headers).
    const trace = headerValue(ctx.request.headers, 'x-amzn-trace-id')
    if (!isProxy && trace !== undefined) headers.push(['X-Amzn-Trace-Id', trace])
    let kept = headers
    if (mapped.header.length > 0) {
      const mappedNames = new Set(mapped.header.map(([name]) => name.toLowerCase()))
      kept = headers.filter(([name]) => !mappedNames.has(name.toLowerCase()))
      kept.push(...mapped.header)
    }
    // An edge-optimized API's request already carries the hop (added with the CloudFront headers).
    const edge = ctx.target.deployment.api.endpointConfiguration.types.includes('EDGE')
    if (isProxy && !edge) appendForwardedFor(kept, ctx.request.sourceIp)

    let url = ''
    if (integration.type === 'AWS') {
      // The service URI with stage variables, path parameters and mapped query strings filled in.
      url = buildHttpUrl(
        substituteStageVariables(integration.uri ?? '', ctx.target.stageVariables),
        mapped.path,
        '',
        mapped.querystring,
      )
    } else if (integration.type === 'HTTP' || integration.type === 'HTTP_PROXY') {
      url = buildHttpUrl(
        substituteStageVariables(integration.uri ?? '', ctx.target.stageVariables),
        { ...(integration.type === 'HTTP_PROXY' ? ctx.match?.pathParameters : {}), ...mapped.path },
        isProxy ? ctx.request.rawQuery : '',
        mapped.querystring,
      )
    }
    const httpMethod =
      integration.httpMethod === undefined || integration.httpMethod === 'ANY'
        ? ctx.request.method
        : integration.httpMethod
    ctx.integrationRequest = { method: httpMethod, url, headers: kept, body }
    return 'continue'
  },
}

/**
 * `$context.requestOverride.*` set by the request template replaces (or adds) the header, query
 * string or path parameter of the endpoint request (AWS docs "apigateway-override-request-response-parameters").
 */
function applyRequestOverrides(mapped: MappedParameters, overrides: TemplateOverrides['request']): void {
  for (const [name, value] of Object.entries(overrides.header)) {
    mapped.header = mapped.header.filter(([n]) => n.toLowerCase() !== name.toLowerCase())
    mapped.header.push([name, value])
  }
  for (const [name, value] of Object.entries(overrides.querystring)) {
    mapped.querystring = mapped.querystring.filter(([n]) => n !== name)
    mapped.querystring.push([name, value])
  }
  for (const [name, value] of Object.entries(overrides.path)) mapped.path[name] = value
}

/** Appends the caller's address to X-Forwarded-For, as API Gateway does for proxy integrations. */
function appendForwardedFor(headers: HeaderEntry[], sourceIp: string): void {
  const index = headers.findIndex(([name]) => name.toLowerCase() === 'x-forwarded-for')
  if (index < 0) headers.push(['X-Forwarded-For', sourceIp])
  else {
    const [name, value] = headers[index] as HeaderEntry
    headers[index] = [name, `${value}, ${sourceIp}`]
  }
}

/** `.` and `..`, raw or percent-encoded: what URL resolution removes from a path (WHATWG URL). */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i

/** `scheme://authority` of an http(s) URI: path parameters never fill a placeholder inside it. */
const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i

/**
 * What would end a value's place in the URL path or be dropped or rewritten by URL parsing
 * (WHATWG URL: `\` is `/` in http URLs, tab and newlines are removed, so `.\t.` would become
 * `..`): percent-encoded. Values from the request path arrive encoded already; values mapped from
 * a query string, a header or a template override arrive decoded and could carry them.
 */
function encodeBreaking(value: string): string {
  // The common case: printable ASCII without `?`, `#` or `\`, nothing to do.
  if (!/[^!-~]|[?#\\]/.test(value)) return value
  let out = ''
  for (const c of value) {
    const code = c.charCodeAt(0)
    out +=
      code <= 0x20 || code === 0x7f || c === '?' || c === '#' || c === '\\'
        ? `%${code.toString(16).toUpperCase().padStart(2, '0')}`
        : c
  }
  return out
}

/**
 * Fills `{name}` / `{name+}` placeholders of an integration URI with path parameter values (left
 * encoded as they arrived) and appends the query string. Placeholders are filled after the
 * URI's authority only (AWS's "URL path parameters"), and a value cannot leave its place: the
 * request goes to the host the URI (with its stage variables) names, never to one a client picked.
 */
function buildHttpUrl(
  uri: string,
  pathValues: Readonly<Record<string, string>>,
  rawQuery: string,
  mappedQuery: readonly [string, string][],
): string {
  const template = urlTemplates.get(uri, parseUrlTemplate, uri.length <= 2_048)
  let filled = template.origin
  for (const part of template.parts) {
    if (typeof part === 'string') {
      filled += part
      continue
    }
    // Own values only: `{constructor}` with no such parameter stays as written, like any other
    // (it read Object's constructor function, and the request failed with a 500).
    const raw = ownValue(pathValues, part.name)
    if (raw === undefined) {
      filled += part.whole
      continue
    }
    const value = encodeBreaking(raw)
    // A `.` or `..` segment (also as %2e) would move the request elsewhere on the backend once
    // the URL is resolved (`/pets/{id}/x` with id `..` is `/x`): refused, never sent.
    if (
      (value.includes('.') || value.includes('%')) &&
      value.split('/').some((segment) => DOT_SEGMENT.test(segment))
    )
      throw badRequestParameters('path.dot_segment', 'Invalid request parameters')
    filled += value
  }
  let query = rawQuery
  if (mappedQuery.length > 0) {
    const extra = mappedQuery.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    query = [rawQuery, ...extra].filter((part) => part !== '').join('&')
  }
  if (query === '') return filled
  return `${filled}${template.hasQuery ? '&' : '?'}${query}`
}

/**
 * An integration URI taken apart once: its origin, then literal text and `{name}` / `{name+}`
 * placeholders. A stage version's URI is the same text on every request, and matching it again
 * was ~1% of an HTTP_PROXY request (profiled 2026-12-07). Up to 1,000 URIs (BoundedCache).
 */
interface UrlTemplate {
  readonly origin: string
  readonly parts: readonly (string | { readonly name: string; readonly whole: string })[]
  /** Whether the literal text holds a `?` (filled values never do: encodeBreaking encodes it). */
  readonly hasQuery: boolean
}

const urlTemplates = new BoundedCache<string, UrlTemplate>(1_000)

function parseUrlTemplate(uri: string): UrlTemplate {
  const origin = ORIGIN.exec(uri)?.[0] ?? ''
  const rest = uri.slice(origin.length)
  const parts: (string | { name: string; whole: string })[] = []
  let at = 0
  for (const match of rest.matchAll(/\{([A-Za-z0-9._-]+)\+?\}/g)) {
    if (match.index > at) parts.push(rest.slice(at, match.index))
    parts.push({ name: match[1] as string, whole: match[0] })
    at = match.index + match[0].length
  }
  if (at < rest.length) parts.push(rest.slice(at))
  return { origin, parts, hasQuery: parts.some((part) => typeof part === 'string' && part.includes('?')) }
}
