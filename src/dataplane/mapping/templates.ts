import type { PassthroughBehavior } from '../../model/index.js'
import { unsupportedMediaType } from '../errors/gateway-error.js'

/** The media type of a Content-Type header, lower-cased, without parameters. */
export function mediaType(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase()
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
  const type = mediaType(contentType) ?? 'application/json'
  const entries = Object.entries(templates ?? {})
  const found = entries.find(([key]) => key.toLowerCase() === type)
  if (found) return { kind: 'template', contentType: found[0], template: found[1] ?? '' }
  switch (behavior ?? 'WHEN_NO_MATCH') {
    case 'WHEN_NO_MATCH':
      return { kind: 'passthrough' }
    case 'WHEN_NO_TEMPLATES':
      if (entries.length === 0) return { kind: 'passthrough' }
      throw unsupportedMediaType('integration_request.no_template_match')
    case 'NEVER':
      throw unsupportedMediaType('integration_request.passthrough_never')
  }
}

/**
 * Chooses the response template by the client's Accept header (AWS docs "request-response-data-mappings":
 * `application/json` when there is no Accept header, the first template defined when none
 * matches); undefined when there is no template (the body then passes through).
 */
export function chooseResponseTemplate(
  templates: Readonly<Record<string, string | null>> | undefined,
  accept: string | undefined,
): { contentType: string; template: string } | undefined {
  const entries = Object.entries(templates ?? {}).map(([type, template]) => ({
    contentType: type,
    template: template ?? '',
  }))
  if (entries.length === 0) return undefined
  const wanted = (accept ?? 'application/json')
    .split(',')
    .map((part) => mediaType(part))
    .filter((type): type is string => type !== undefined)
  for (const type of wanted) {
    const exact = entries.find((e) => e.contentType.toLowerCase() === type)
    if (exact) return exact
    if (type === '*/*') return entries.find((e) => e.contentType === 'application/json') ?? entries[0]
    if (type.endsWith('/*')) {
      const prefix = type.slice(0, -1)
      const partial = entries.find((e) => e.contentType.toLowerCase().startsWith(prefix))
      if (partial) return partial
    }
  }
  return entries[0]
}
