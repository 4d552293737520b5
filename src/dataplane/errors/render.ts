import type { GatewayResponse } from '../../model/index.js'
import type { InvocationContext, OutboundResponse } from '../context.js'
import { contextVariables, type ContextSettings } from '../mapping/context-variables.js'
import { mapResponseHeaders } from '../mapping/parameters.js'
import { headerMap } from '../mapping/source.js'
import { compileTemplate, type CompiledTemplate } from '../mapping/velocity/index.js'
import { DEFAULT_GATEWAY_TEMPLATE } from '../../model/index.js'
import { builtinGatewayResponse } from './defaults.js'
import type { GatewayError } from './gateway-error.js'

/**
 * Turns a gateway error into the response the client gets: the API's customised response for
 * the type, else its customised DEFAULT_4XX / DEFAULT_5XX, else AWS's built-in one (AWS docs
 * "supported-gateway-response-types"; REQUEST_TOO_LARGE cannot be customised).
 */
export function renderGatewayError(
  error: GatewayError,
  ctx: InvocationContext | undefined,
  settings: ContextSettings,
): OutboundResponse {
  const defaults = builtinGatewayResponse(error.type)
  const builtinStatus = error.status ?? defaults.status
  const family = builtinStatus < 500 ? 'DEFAULT_4XX' : 'DEFAULT_5XX'
  const configured: Readonly<Record<string, GatewayResponse>> =
    ctx?.target.deployment.snapshot.gatewayResponses ?? {}
  const own = error.type === 'REQUEST_TOO_LARGE' ? undefined : configured[error.type]
  const fallback = error.type === 'REQUEST_TOO_LARGE' ? undefined : configured[family]

  const status = Number(own?.statusCode ?? fallback?.statusCode ?? builtinStatus)
  const templates = own?.responseTemplates ?? fallback?.responseTemplates
  const template =
    templates?.['application/json'] ??
    Object.values(templates ?? {})[0] ??
    error.builtinBody ??
    DEFAULT_GATEWAY_TEMPLATE
  const stageVariables = ctx?.target.stageVariables ?? {}
  const context = ctx ? contextVariables(ctx, settings) : errorOnlyContext(error)
  const body = renderGatewayTemplate(ctx, template, context, stageVariables)

  const headers: [string, string][] = [['Content-Type', 'application/json']]
  const errorType = error.errorType ?? defaults.errorType
  if (errorType) headers.push(['x-amzn-ErrorType', errorType])
  const parameters = { ...fallback?.responseParameters, ...own?.responseParameters }
  if (ctx) {
    const source = {
      pathParameters: ctx.match?.pathParameters ?? {},
      query: ctx.request.query,
      headers: headerMap(ctx.request.headers),
      context,
      stageVariables,
    }
    for (const [name, value] of mapResponseHeaders(parameters, 'gatewayresponse', source)) {
      const index = headers.findIndex(([n]) => n.toLowerCase() === name.toLowerCase())
      if (index >= 0) headers.splice(index, 1)
      headers.push([name, value])
    }
  }
  return { status, headers, body: Buffer.from(body) }
}

function errorOnlyContext(error: GatewayError): Record<string, unknown> {
  return {
    error: {
      message: error.message,
      messageString: JSON.stringify(error.message),
      responseType: error.type,
      validationErrorString: error.validationErrorString ?? null,
    },
  }
}

/** AWS's default template, parsed once for every API. */
let defaultTemplate: CompiledTemplate | undefined

/**
 * Renders a gateway response template with the VTL engine. A template that fails falls back to
 * the default body: an error response must never itself fail.
 */
function renderGatewayTemplate(
  ctx: InvocationContext | undefined,
  template: string,
  context: Record<string, unknown>,
  stageVariables: Readonly<Record<string, string>>,
): string {
  const variables = {
    input: {
      body: ctx?.request.body.toString('utf8') ?? '',
      path: { ...ctx?.match?.pathParameters },
      querystring: {},
      header: {},
    },
    context,
    stageVariables,
  }
  try {
    const compiled =
      template === DEFAULT_GATEWAY_TEMPLATE
        ? (defaultTemplate ??= compileTemplate(DEFAULT_GATEWAY_TEMPLATE))
        : ctx
          ? ctx.target.deployment.templates.get(template)
          : compileTemplate(template)
    return compiled.render(variables).output
  } catch {
    return (defaultTemplate ??= compileTemplate(DEFAULT_GATEWAY_TEMPLATE)).render(variables).output
  }
}
