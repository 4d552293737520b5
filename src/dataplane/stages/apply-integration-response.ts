import type { IntegrationResponse } from '../../model/index.js'
import { contextVariables } from '../mapping/context-variables.js'
import { apiConfigurationError } from '../errors/gateway-error.js'
import { required } from '../context.js'
import { mapResponseHeaders, type MappingSource } from '../mapping/parameters.js'
import { headerMap } from '../mapping/source.js'
import { renderStaticTemplate } from '../mapping/templates.js'
import type { Stage } from '../stage.js'
import { headerValue } from '../request.js'
import { convertContent, isBinaryMediaType } from '../mapping/content-handling.js'

/**
 * Selects the integration response whose selectionPattern matches the backend status (a whole
 * match, Java `String.matches` semantics), else the default one (no pattern); none at all is an
 * API configuration error (500), as AWS answers. Then maps response headers and renders the
 * response template (or passes the body through).
 */
export const applyIntegrationResponse: Stage = {
  name: 'applyIntegrationResponse',
  run(ctx, deps) {
    const integration = required(ctx.match?.method.methodIntegration, 'match.method.methodIntegration')
    const endpoint = required(ctx.endpointResponse, 'endpointResponse')
    const selected = selectIntegrationResponse(
      Object.values(integration.integrationResponses ?? {}),
      String(endpoint.status),
    )
    if (!selected) throw apiConfigurationError('integration_response.no_match')

    const converted = convertContent(
      endpoint.body,
      isBinaryMediaType(
        headerValue(endpoint.headers, 'content-type'),
        ctx.target.deployment.api.binaryMediaTypes,
      ),
      selected.contentHandling,
    )
    const body = converted.toString('utf8')
    const source: MappingSource = {
      pathParameters: {},
      query: new Map(),
      headers: new Map(),
      context: contextVariables(ctx, deps),
      stageVariables: ctx.target.stageVariables,
      integrationResponseHeaders: headerMap(endpoint.headers),
      integrationResponseBody: body,
    }
    const headers = mapResponseHeaders(selected.responseParameters, 'method.response', source)
    const templates = Object.entries(selected.responseTemplates ?? {})
    const chosen = templates.find(([type]) => type === 'application/json') ?? templates[0]
    let outBody = converted
    if (chosen && chosen[1] !== null && chosen[1] !== '') {
      outBody = Buffer.from(
        renderStaticTemplate(chosen[1], {
          context: source.context,
          stageVariables: source.stageVariables,
          body,
        }),
      )
    }
    if (!headers.some(([name]) => name.toLowerCase() === 'content-type')) {
      headers.push(['Content-Type', chosen?.[0] ?? 'application/json'])
    }
    ctx.response = { status: Number(selected.statusCode), headers, body: outBody }
    return 'continue'
  },
}

export function selectIntegrationResponse(
  responses: readonly IntegrationResponse[],
  selector: string,
): IntegrationResponse | undefined {
  for (const response of responses) {
    const pattern = response.selectionPattern
    if (pattern === undefined || pattern === '') continue
    try {
      if (new RegExp(`^(?:${pattern})$`, 's').test(selector)) return response
    } catch {
      // An invalid pattern never matches, like a Java PatternSyntaxException caught by AWS.
    }
  }
  return responses.find((r) => r.selectionPattern === undefined || r.selectionPattern === '')
}
