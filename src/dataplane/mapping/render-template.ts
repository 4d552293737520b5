import type { InvocationContext } from '../context.js'
import { apiConfigurationError, type DetailCode } from '../errors/gateway-error.js'
import { contextVariables, type ContextSettings } from './context-variables.js'
import type { RenderResult, TemplateValue, TemplateVariables } from './velocity/index.js'
import { fromPlain, noOverrides, paramsValue, TemplateBudgetError } from './velocity/index.js'
import { setOwn } from '../../model/own-keys.js'

/**
 * The variables a mapping template sees for this request: `$input` over `body` (the request body
 * for request templates, the integration's answer for response templates) and the method
 * request's parameters, `$context`, `$stageVariables`.
 */
export function templateVariables(
  ctx: InvocationContext,
  settings: ContextSettings,
  body: string,
): TemplateVariables {
  const params = (ctx.templateParams ??= methodRequestParams(ctx))
  return {
    input: {
      body,
      path: params.path,
      querystring: params.querystring,
      header: params.header,
      sharedParams: () => (params.converted ??= paramsValue(params)),
    },
    context: templateContext(ctx, settings),
    stageVariables: ctx.target.stageVariables,
  }
}

/**
 * `$context` for a template, converted once per request: what contextVariables reads (the route,
 * caller, key, authorizer) is settled before the request template runs, except a failure's
 * `$context.error`, after which it is converted again.
 */
function templateContext(
  ctx: InvocationContext,
  settings: ContextSettings,
): ReadonlyMap<string, TemplateValue> {
  const cached = ctx.templateContext
  if (cached && cached.error === ctx.error) return cached.values
  const values = fromPlain(contextVariables(ctx, settings)) as Map<string, TemplateValue>
  ctx.templateContext = { error: ctx.error, values }
  return values
}

/**
 * The records `$input.params()` reads, and once converted, their template values. Templates only
 * read the records; the converted values go to templates that change no value (`inputObject`), so
 * a request's two templates share one set.
 */
function methodRequestParams(ctx: InvocationContext): NonNullable<InvocationContext['templateParams']> {
  // Plain objects with own-key reads (setOwn, ownValue, for-in with hasOwn), not null-prototype
  // ones: V8 keeps those as hash tables, slower to fill and to walk (as the proxy event's maps).
  const header: Record<string, string> = {}
  for (const [name, value] of ctx.request.headers) setOwn(header, name, value)
  const querystring: Record<string, string> = {}
  for (const [name, values] of ctx.request.query) setOwn(querystring, name, values.at(-1) ?? '')
  return { path: { ...ctx.match?.pathParameters }, querystring, header }
}

/**
 * Renders a template of the serving deployment (compiled once per deployment). A template that
 * does not parse, fails or exceeds a budget ends the request with a 500 (AWS answers
 * "Internal server error" for template failures). The variables are built only for a template
 * that reads them.
 */
export function renderTemplate(
  ctx: InvocationContext,
  text: string,
  variables: () => TemplateVariables,
  detail: DetailCode,
): RenderResult {
  try {
    const template = ctx.target.deployment.templates.get(text)
    if (template.constantOutput !== undefined)
      return { output: template.constantOutput, overrides: noOverrides() }
    return template.render(variables())
  } catch (error) {
    const code: DetailCode =
      error instanceof TemplateBudgetError ? `${detail.split('.')[0] ?? 'template'}.template_budget` : detail
    throw apiConfigurationError(code, error)
  }
}
