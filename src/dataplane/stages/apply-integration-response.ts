import type { Integration, IntegrationResponse } from '../../model/index.js'
import { apiConfigurationError } from '../errors/gateway-error.js'
import { required } from '../context.js'
import { mapResponseHeaders } from '../mapping/parameters.js'
import { responseMappingSource } from '../mapping/source.js'
import { chooseResponseTemplate } from '../mapping/templates.js'
import { renderTemplate, templateVariables } from '../mapping/render-template.js'
import type { Stage } from '../stage.js'
import { headerValue } from '../request.js'
import { convertContent, isBinaryMediaType } from '../mapping/content-handling.js'
import { deployedRegExp } from '../deployed-regexp.js'

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
    const responses = responsesOf(integration)
    const selected =
      endpoint.selector === null
        ? responses.find((r) => r.selectionPattern === undefined || r.selectionPattern === '')
        : selectIntegrationResponse(responses, endpoint.selector ?? String(endpoint.status))
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
    const source = responseMappingSource(ctx, deps, { headers: endpoint.headers, body })
    const headers = mapResponseHeaders(selected.responseParameters, 'method.response', source)
    const chosen = chooseResponseTemplate(
      selected.responseTemplates,
      headerValue(ctx.request.headers, 'accept'),
    )
    let outBody = converted
    let status = Number(selected.statusCode)
    const overrides = { header: { ...ctx.responseOverrides?.header }, status: ctx.responseOverrides?.status }
    if (chosen && chosen.template !== '') {
      const result = renderTemplate(
        ctx,
        chosen.template,
        () => templateVariables(ctx, deps, body),
        'integration_response.template_failed',
      )
      outBody = Buffer.from(result.output)
      Object.assign(overrides.header, result.overrides.response.header)
      overrides.status = result.overrides.response.status ?? overrides.status
    }
    if (!headers.some(([name]) => name.toLowerCase() === 'content-type')) {
      headers.push(['Content-Type', chosen?.contentType ?? 'application/json'])
    }
    // $context.responseOverride (AWS docs "apigateway-override-request-response-parameters").
    for (const [name, value] of Object.entries(overrides.header)) {
      const index = headers.findIndex(([n]) => n.toLowerCase() === name.toLowerCase())
      if (index >= 0) headers.splice(index, 1)
      headers.push([name, value])
    }
    if (overrides.status !== undefined && overrides.status >= 100 && overrides.status <= 599)
      status = overrides.status
    ctx.response = { status, headers, body: outBody }
    return 'continue'
  },
}

/** An integration's responses as a list, once per deployment (its integrations never change). */
function responsesOf(integration: Integration): readonly IntegrationResponse[] {
  let responses = responseLists.get(integration)
  if (!responses)
    responseLists.set(integration, (responses = Object.values(integration.integrationResponses ?? {})))
  return responses
}
const responseLists = new WeakMap<Integration, readonly IntegrationResponse[]>()

export function selectIntegrationResponse(
  responses: readonly IntegrationResponse[],
  selector: string,
): IntegrationResponse | undefined {
  for (const response of responses) {
    const pattern = response.selectionPattern
    if (pattern === undefined || pattern === '') continue
    // An invalid pattern never matches, like a Java PatternSyntaxException caught by AWS.
    if (deployedRegExp(`^(?:${pattern})$`, 's')?.test(selector)) return response
  }
  return responses.find((r) => r.selectionPattern === undefined || r.selectionPattern === '')
}
