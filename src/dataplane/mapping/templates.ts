import type { PassthroughBehavior } from '../../model/index.js'
import { unsupportedMediaType } from '../errors/gateway-error.js'
import { contextValueText, lookupContext } from './context-variables.js'

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
 * Renders a template until the VTL engine (mapping-template issue) lands: static text, with
 * `$context.X`, `$stageVariables.X` and `$input.body` substituted. Anything else is left as written.
 */
export function renderStaticTemplate(
  template: string,
  vars: { context: Record<string, unknown>; stageVariables: Readonly<Record<string, string>>; body?: string },
): string {
  return template.replace(
    /\$!?(?:\{(context|stageVariables|input)\.([\w.]+)\}|(context|stageVariables|input)\.(\w+(?:\.\w+)*))/g,
    (whole, formalRoot?: string, formalName?: string, root?: string, name?: string) => {
      const source = formalRoot ?? root
      const key = formalName ?? name ?? ''
      if (source === 'context') return contextValueText(lookupContext(vars.context, key)) ?? ''
      if (source === 'stageVariables') return vars.stageVariables[key] ?? ''
      return key === 'body' && vars.body !== undefined ? vars.body : whole
    },
  )
}
