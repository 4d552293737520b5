import { stringify as toYaml } from 'yaml'
import {
  resourcesInTreeOrder,
  type Integration,
  type Method,
  type RestApiDocument,
  type StageRecord,
} from '../../model/index.js'

export interface ExportOptions {
  type: 'oas30' | 'swagger'
  /**
   * `integrations`, `apigateway` (integrations + API-level extensions), `authorizers`, `postman`.
   * AWS documents `postman` as "Postman extensions, allowing for import to the Postman tool" without
   * naming them; Postman imports the plain document, so `postman` is accepted and adds nothing.
   */
  extensions: ReadonlySet<string>
  region: string
}

/**
 * Exports a stage's deployed API as OpenAPI 3.0 or Swagger 2.0 (AWS docs
 * "api-gateway-export-api"), with the x-amazon-apigateway-* extensions when asked for, so that
 * export → import gives an equivalent API.
 */
export function exportOpenApi(
  snapshot: RestApiDocument,
  stage: StageRecord,
  options: ExportOptions,
): Record<string, unknown> {
  const oas3 = options.type === 'oas30'
  const withIntegrations = options.extensions.has('integrations') || options.extensions.has('apigateway')
  const withApiGateway = options.extensions.has('apigateway')
  const api = snapshot.api
  const refBase = oas3 ? '#/components/schemas/' : '#/definitions/'
  const paths: Record<string, Record<string, unknown>> = {}
  const usedSchemes = new Set<string>()
  for (const resource of resourcesInTreeOrder(snapshot.resources)) {
    const methods = Object.entries(resource.resourceMethods ?? {})
    if (methods.length === 0) continue
    const item: Record<string, unknown> = {}
    for (const [verb, method] of methods) {
      const operation = exportOperation(method, oas3, refBase, withIntegrations)
      const requirement = securityRequirement(method, snapshot)
      if (Object.keys(requirement).length) operation['security'] = [requirement]
      for (const name of Object.keys(requirement)) usedSchemes.add(name)
      const validator = method.requestValidatorId
        ? snapshot.requestValidators[method.requestValidatorId]
        : undefined
      if (withApiGateway && validator)
        operation['x-amazon-apigateway-request-validator'] = validator.name ?? validator.id
      item[verb === 'ANY' ? 'x-amazon-apigateway-any-method' : verb.toLowerCase()] = operation
    }
    paths[resource.path] = item
  }
  const schemas: Record<string, unknown> = {}
  for (const model of Object.values(snapshot.models)) {
    try {
      schemas[model.name] = rewriteModelRefs(JSON.parse(model.schema ?? '{}'), refBase)
    } catch {
      schemas[model.name] = {}
    }
  }
  const schemes = securitySchemesOf(
    snapshot,
    usedSchemes,
    options.extensions.has('authorizers') || withApiGateway,
  )
  const hasSchemes = Object.keys(schemes).length > 0
  const out: Record<string, unknown> = oas3
    ? {
        openapi: '3.0.1',
        info: info(snapshot),
        servers: [
          {
            url: `https://${api.id}.execute-api.${options.region}.amazonaws.com/{basePath}`,
            variables: { basePath: { default: stage.stageName } },
          },
        ],
        paths,
        components: { schemas, ...(hasSchemes ? { securitySchemes: schemes } : {}) },
      }
    : {
        swagger: '2.0',
        info: info(snapshot),
        host: `${api.id}.execute-api.${options.region}.amazonaws.com`,
        basePath: `/${stage.stageName}`,
        schemes: ['https'],
        paths,
        ...(hasSchemes ? { securityDefinitions: schemes } : {}),
        definitions: schemas,
      }
  if (withApiGateway) {
    if (api.binaryMediaTypes?.length) out['x-amazon-apigateway-binary-media-types'] = api.binaryMediaTypes
    if (api.minimumCompressionSize !== undefined)
      out['x-amazon-apigateway-minimum-compression-size'] = api.minimumCompressionSize
    if (api.policy) out['x-amazon-apigateway-policy'] = safeJson(api.policy)
    out['x-amazon-apigateway-api-key-source'] = api.apiKeySource
    const documentation = Object.values(snapshot.documentationParts ?? {})
    if (documentation.length) {
      out['x-amazon-apigateway-documentation'] = {
        version: stage.documentationVersion ?? '1',
        documentationParts: documentation.map((part) => ({
          location: part.location,
          properties: safeJson(part.properties),
        })),
      }
    }
    const validators = Object.values(snapshot.requestValidators)
    if (validators.length) {
      out['x-amazon-apigateway-request-validators'] = Object.fromEntries(
        validators.map((v) => [
          v.name ?? v.id,
          {
            validateRequestBody: v.validateRequestBody,
            validateRequestParameters: v.validateRequestParameters,
          },
        ]),
      )
    }
    const responses = Object.values(snapshot.gatewayResponses)
    if (responses.length) {
      out['x-amazon-apigateway-gateway-responses'] = Object.fromEntries(
        responses.map((r) => [
          r.responseType,
          {
            ...(r.statusCode ? { statusCode: r.statusCode } : {}),
            ...(r.responseParameters ? { responseParameters: r.responseParameters } : {}),
            ...(r.responseTemplates ? { responseTemplates: r.responseTemplates } : {}),
          },
        ]),
      )
    }
  }
  return out
}

/** Serialises an export as the client asked (Accept: application/yaml or JSON). */
export function serialiseExport(
  document: Record<string, unknown>,
  accept: string | undefined,
): { body: Buffer; contentType: string } {
  if (accept?.includes('yaml'))
    return { body: Buffer.from(toYaml(document)), contentType: 'application/yaml' }
  return { body: Buffer.from(JSON.stringify(document, null, 2)), contentType: 'application/json' }
}

function info(snapshot: RestApiDocument): Record<string, unknown> {
  const api = snapshot.api
  return {
    title: api.name,
    ...(api.description ? { description: api.description } : {}),
    version: api.version ?? new Date(api.createdDate * 1000).toISOString(),
  }
}

function exportOperation(
  method: Method,
  oas3: boolean,
  refBase: string,
  withIntegration: boolean,
): Record<string, unknown> {
  const parameters: Record<string, unknown>[] = []
  for (const [key, required] of Object.entries(method.requestParameters ?? {})) {
    const [, , location = '', ...rest] = key.split('.')
    const place = { path: 'path', querystring: 'query', header: 'header' }[location]
    if (!place) continue
    const name = rest.join('.')
    parameters.push(
      oas3
        ? { name, in: place, required, schema: { type: 'string' } }
        : { name, in: place, required, type: 'string' },
    )
  }
  const operation: Record<string, unknown> = {}
  if (method.operationName) operation['operationId'] = method.operationName
  const bodyModels = Object.entries(method.requestModels ?? {})
  if (bodyModels.length) {
    if (oas3) {
      operation['requestBody'] = {
        content: Object.fromEntries(
          bodyModels.map(([type, model]) => [type, { schema: { $ref: `${refBase}${model}` } }]),
        ),
        required: true,
      }
    } else {
      parameters.push({
        in: 'body',
        name: bodyModels[0]?.[1] ?? 'body',
        required: true,
        schema: { $ref: `${refBase}${bodyModels[0]?.[1] ?? ''}` },
      })
    }
  }
  if (parameters.length) operation['parameters'] = parameters
  const responses: Record<string, unknown> = {}
  for (const response of Object.values(method.methodResponses ?? {})) {
    const headers = Object.keys(response.responseParameters ?? {}).map((p) =>
      p.replace('method.response.header.', ''),
    )
    const models = Object.entries(response.responseModels ?? {})
    const headerSpec = Object.fromEntries(
      headers.map((h) => [h, oas3 ? { schema: { type: 'string' } } : { type: 'string' }]),
    )
    responses[response.statusCode] = {
      description: `${response.statusCode} response`,
      ...(headers.length ? { headers: headerSpec } : {}),
      ...(models.length
        ? oas3
          ? {
              content: Object.fromEntries(
                models.map(([type, model]) => [type, { schema: { $ref: `${refBase}${model}` } }]),
              ),
            }
          : { schema: { $ref: `${refBase}${models[0]?.[1] ?? ''}` } }
        : {}),
    }
  }
  operation['responses'] = responses
  if (withIntegration && method.methodIntegration)
    operation['x-amazon-apigateway-integration'] = exportIntegration(method.methodIntegration)
  return operation
}

function exportIntegration(integration: Integration): Record<string, unknown> {
  const responses: Record<string, unknown> = {}
  for (const response of Object.values(integration.integrationResponses ?? {})) {
    responses[response.selectionPattern ? response.selectionPattern : 'default'] = {
      statusCode: response.statusCode,
      ...(response.responseParameters ? { responseParameters: response.responseParameters } : {}),
      ...(response.responseTemplates ? { responseTemplates: response.responseTemplates } : {}),
      ...(response.contentHandling ? { contentHandling: response.contentHandling } : {}),
    }
  }
  return {
    type: integration.type.toLowerCase(),
    ...(integration.httpMethod ? { httpMethod: integration.httpMethod } : {}),
    ...(integration.uri ? { uri: integration.uri } : {}),
    ...(integration.credentials ? { credentials: integration.credentials } : {}),
    ...(integration.requestParameters ? { requestParameters: integration.requestParameters } : {}),
    ...(integration.requestTemplates ? { requestTemplates: integration.requestTemplates } : {}),
    passthroughBehavior: (integration.passthroughBehavior ?? 'WHEN_NO_MATCH').toLowerCase(),
    ...(integration.contentHandling ? { contentHandling: integration.contentHandling } : {}),
    timeoutInMillis: integration.timeoutInMillis,
    ...(integration.cacheNamespace ? { cacheNamespace: integration.cacheNamespace } : {}),
    ...(integration.cacheKeyParameters.length ? { cacheKeyParameters: integration.cacheKeyParameters } : {}),
    ...(integration.connectionType ? { connectionType: integration.connectionType } : {}),
    ...(Object.keys(responses).length ? { responses } : {}),
  }
}

/** API Gateway model refs (`https://apigateway.amazonaws.com/restapis/{id}/models/X`) back to local refs. */
function rewriteModelRefs(schema: unknown, refBase: string): unknown {
  if (Array.isArray(schema)) return schema.map((item) => rewriteModelRefs(item, refBase))
  if (schema === null || typeof schema !== 'object') return schema
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$schema') continue
    out[key] =
      key === '$ref' && typeof value === 'string' && value.includes('/models/')
        ? `${refBase}${value.split('/models/').pop() ?? ''}`
        : rewriteModelRefs(value, refBase)
  }
  return out
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/**
 * A method's security requirement: `api_key` for a required key, its authorizer's scheme (with
 * the method's scopes for a user pool), `sigv4` for AWS_IAM; one requirement object, since all
 * of them apply together.
 */
function securityRequirement(method: Method, snapshot: RestApiDocument): Record<string, string[]> {
  const requirement: Record<string, string[]> = {}
  if (method.apiKeyRequired) requirement['api_key'] = []
  const authorizer = method.authorizerId ? snapshot.authorizers?.[method.authorizerId] : undefined
  if (
    authorizer &&
    (method.authorizationType === 'CUSTOM' || method.authorizationType === 'COGNITO_USER_POOLS')
  )
    requirement[authorizer.name] = method.authorizationScopes ?? []
  if (method.authorizationType === 'AWS_IAM') requirement['sigv4'] = []
  return requirement
}

/**
 * Security schemes for the requirements in use, authorizers written back as
 * `x-amazon-apigateway-authorizer` (AWS docs "api-gateway-swagger-extensions-authorizer") when
 * the export asks for authorizers.
 */
function securitySchemesOf(
  snapshot: RestApiDocument,
  used: ReadonlySet<string>,
  withAuthorizers: boolean,
): Record<string, unknown> {
  const schemes: Record<string, unknown> = {}
  if (used.has('api_key')) schemes['api_key'] = { type: 'apiKey', name: 'x-api-key', in: 'header' }
  if (used.has('sigv4'))
    schemes['sigv4'] = {
      type: 'apiKey',
      name: 'Authorization',
      in: 'header',
      'x-amazon-apigateway-authtype': 'awsSigv4',
    }
  for (const authorizer of Object.values(snapshot.authorizers ?? {})) {
    if (!used.has(authorizer.name)) continue
    const header = /^method\.request\.header\.(.+)$/.exec(authorizer.identitySource ?? '')?.[1]
    const scheme: Record<string, unknown> = {
      type: 'apiKey',
      name: header ?? 'Unused',
      in: 'header',
      'x-amazon-apigateway-authtype':
        authorizer.authType ?? (authorizer.type === 'COGNITO_USER_POOLS' ? 'cognito_user_pools' : 'custom'),
    }
    if (withAuthorizers) {
      const { id: _id, name: _name, authType: _authType, type, ...rest } = authorizer
      scheme['x-amazon-apigateway-authorizer'] = { type: type.toLowerCase(), ...rest }
    }
    schemes[authorizer.name] = scheme
  }
  return schemes
}
