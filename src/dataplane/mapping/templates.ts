import type { PassthroughBehavior } from '../../model/index.js'
import { unsupportedMediaType } from '../errors/gateway-error.js'
import { BoundedCache } from '../../model/bounded-cache.js'

/** The media type of a Content-Type header, lower-cased, without parameters. */
export function mediaType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined
  const end = contentType.indexOf(';')
  const type = (end === -1 ? contentType : contentType.slice(0, end)).trim().toLowerCase()
  return type === '' ? undefined : type
}

export type RequestTemplateChoice =
  { kind: 'template'; contentType: string; template: string } | { kind: 'passthrough' }

/**
 * Chooses the request template for a request's content type (application/json when absent),
 * applying passthroughBehavior as the AWS docs "integration-passthrough-behaviors" describe:
 * WHEN_NO_MATCH passes an unmatched body through; WHEN_NO_TEMPLATES passes through only when no
 * template is defined, else 415; NEVER answers 415 whenever no template matches.
 */
export function chooseRequestTemplate(
  templates: Readonly<Record<string, string | null>> | undefined,
  contentType: string | undefined,
  behavior: PassthroughBehavior | undefined,
): RequestTemplateChoice {
  if (!templates) return pickRequestTemplate(templates, contentType, behavior)
  const cache = choicesOf(requestChoices, templates)
  const key = `${behavior ?? ''}\u0000${contentType ?? '\u0000'}`
  const kept = cache.peek(key)
  if (kept !== undefined) return kept
  // A 415 is thrown, never kept: it costs the same on every request either way.
  const choice = pickRequestTemplate(templates, contentType, behavior)
  if (key.length <= MAX_CHOICE_KEY) cache.put(key, choice)
  return choice
}

function pickRequestTemplate(
  templates: Readonly<Record<string, string | null>> | undefined,
  contentType: string | undefined,
  behavior: PassthroughBehavior | undefined,
): RequestTemplateChoice {
  const type = mediaType(contentType) ?? 'application/json'
  const types = templates ? Object.keys(templates) : []
  const found = types.find((key) => key.toLowerCase() === type)
  if (found !== undefined) return { kind: 'template', contentType: found, template: templates?.[found] ?? '' }
  switch (behavior ?? 'WHEN_NO_MATCH') {
    case 'WHEN_NO_MATCH':
      return { kind: 'passthrough' }
    case 'WHEN_NO_TEMPLATES':
      if (types.length === 0) return { kind: 'passthrough' }
      throw unsupportedMediaType('integration_request.no_template_match')
    case 'NEVER':
      throw unsupportedMediaType('integration_request.passthrough_never')
  }
}

/** What a client without an Accept header is answered with. */
const DEFAULT_ACCEPT = ['application/json']

/**
 * Chooses the response template by the client's Accept header (AWS docs "request-response-data-mappings":
 * `application/json` when there is no Accept header, the first template defined when none
 * matches); undefined when there is no template (the body then passes through).
 */
export function chooseResponseTemplate(
  templates: Readonly<Record<string, string | null>> | undefined,
  accept: string | undefined,
): ResponseTemplateChoice | undefined {
  if (!templates) return undefined
  const cache = choicesOf(responseChoices, templates)
  const key = accept ?? '\u0000'
  const kept = cache.peek(key)
  if (kept !== undefined) return kept
  const choice = pickResponseTemplate(templates, accept)
  if (choice !== undefined && key.length <= MAX_CHOICE_KEY) cache.put(key, choice)
  return choice
}

export interface ResponseTemplateChoice {
  readonly contentType: string
  readonly template: string
}

function pickResponseTemplate(
  templates: Readonly<Record<string, string | null>>,
  accept: string | undefined,
): ResponseTemplateChoice | undefined {
  const types = Object.keys(templates)
  const first = types[0]
  if (first === undefined) return undefined
  const chosen = (type: string): ResponseTemplateChoice => ({
    contentType: type,
    template: templates[type] ?? '',
  })
  for (const part of accept === undefined ? DEFAULT_ACCEPT : accept.split(',')) {
    const type = mediaType(part)
    if (type === undefined) continue
    const exact = types.find((t) => t.toLowerCase() === type)
    if (exact !== undefined) return chosen(exact)
    if (type === '*/*') return chosen(types.includes('application/json') ? 'application/json' : first)
    if (type.endsWith('/*')) {
      const prefix = type.slice(0, -1)
      const partial = types.find((t) => t.toLowerCase().startsWith(prefix))
      if (partial !== undefined) return chosen(partial)
    }
  }
  return chosen(first)
}

/**
 * The choices made for a deployment's template sets (which never change), by the Content-Type or
 * Accept text: clients repeat theirs, and choosing again split, lower-cased and searched the
 * media types on every request (~1% of a templated request, profiled 2026-12-07). At most 64 texts
 * of up to 256 characters per set, all dropped at once when full (BoundedCache).
 */
function choicesOf<V>(
  caches: WeakMap<object, BoundedCache<string, V>>,
  templates: object,
): BoundedCache<string, V> {
  let cache = caches.get(templates)
  if (!cache) caches.set(templates, (cache = new BoundedCache<string, V>(64)))
  return cache
}
const requestChoices = new WeakMap<object, BoundedCache<string, RequestTemplateChoice>>()
const responseChoices = new WeakMap<object, BoundedCache<string, ResponseTemplateChoice>>()
const MAX_CHOICE_KEY = 256
