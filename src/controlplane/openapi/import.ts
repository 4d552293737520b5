import {
  newId,
  type Authorizer,
  type AuthorizerType,
  type ContentHandling,
  type GatewayResponse,
  type GatewayResponseType,
  type HttpMethod,
  type Integration,
  type IntegrationResponse,
  type IntegrationType,
  type Method,
  type MethodResponse,
  type Model,
  type PassthroughBehavior,
  type RequestValidator,
  type ResourceRecord,
  type RestApiDocument,
} from '../../model/index.js'
import { badRequest } from '../api-error.js'
import { isOas3, obj, str, type OpenApiDocument } from './document.js'
import { documentationPartsOf } from '../documentation.js'

const VERBS: Record<string, HttpMethod> = {
  get: 'GET',
  put: 'PUT',
  post: 'POST',
  delete: 'DELETE',
  patch: 'PATCH',
  options: 'OPTIONS',
  head: 'HEAD',
  'x-amazon-apigateway-any-method': 'ANY',
}

export interface ImportResult {
  doc: RestApiDocument
  warnings: string[]
}

/**
 * Builds a REST API document from an OpenAPI 2.0 / 3.0 document with API Gateway's extensions
 * (AWS docs "api-gateway-swagger-extensions", "import-rest-api"): paths become resources,
 * operations methods (parameters → requestParameters, body schemas → requestModels, responses →
 * method responses), `x-amazon-apigateway-integration` the integration and its responses,
 * definitions / components.schemas models (refs rewritten to API Gateway model URIs),
 * plus binary media types, validators, gateway responses, policy, endpoint configuration, API key
 * source and minimum compression size.
 */
/** What to do with the document's base path (`basePath`, or the path of OAS 3's first server URL). */
export type BasePathMode = 'ignore' | 'prepend' | 'split'

/**
 * The base path the import `basepath` mode adds in front of every path (AWS docs "import-api-basePath"):
 * `ignore` none, `prepend` all of it, `split` all but its first segment.
 */
function basePathPrefix(source: OpenApiDocument, mode: BasePathMode): string {
  if (mode === 'ignore') return ''
  let base = str(source['basePath']) ?? ''
  if (isOas3(source)) {
    const server = obj(Array.isArray(source['servers']) ? source['servers'][0] : undefined)
    const variables = obj(server['variables'])
    const url = (str(server['url']) ?? '').replace(
      /\{([^}]+)\}/g,
      (_, name: string) => str(obj(variables[name])['default']) ?? '',
    )
    try {
      base = new URL(url, 'http://placeholder').pathname
    } catch {
      base = ''
    }
  }
  const segments = base.split('/').filter(Boolean)
  const kept = mode === 'split' ? segments.slice(1) : segments
  return kept.length ? `/${kept.join('/')}` : ''
}

export function importOpenApi(
  source: OpenApiDocument,
  existing: RestApiDocument,
  basePathMode: BasePathMode = 'ignore',
): ImportResult {
  const warnings: string[] = []
  const apiId = existing.api.id
  const info = obj(source['info'])
  const doc: RestApiDocument = structuredClone(existing)
  const title = str(info['title'])
  if (title) doc.api.name = title
  const description = str(info['description'])
  if (description) doc.api.description = description
  const version = str(info['version'])
  if (version) doc.api.version = version

  const binary = source['x-amazon-apigateway-binary-media-types']
  if (Array.isArray(binary))
    doc.api.binaryMediaTypes = binary.filter((t): t is string => typeof t === 'string')
  const keySource = str(source['x-amazon-apigateway-api-key-source'])
  if (keySource === 'HEADER' || keySource === 'AUTHORIZER') doc.api.apiKeySource = keySource
  const compression = source['x-amazon-apigateway-minimum-compression-size']
  if (typeof compression === 'number') doc.api.minimumCompressionSize = compression
  const policy = source['x-amazon-apigateway-policy']
  if (policy !== undefined) doc.api.policy = typeof policy === 'string' ? policy : JSON.stringify(policy)
  // x-amazon-apigateway-tag-value on the document's `tags` entries: the API's tags.
  const tags = Array.isArray(source['tags']) ? source['tags'] : []
  for (const tag of tags) {
    const name = str(obj(tag)['name'])
    const value = str(obj(tag)['x-amazon-apigateway-tag-value'])
    if (name && value !== undefined) doc.api.tags = { ...doc.api.tags, [name]: value }
  }
  const endpoint = obj(source['x-amazon-apigateway-endpoint-configuration'])
  if (endpoint['disableExecuteApiEndpoint'] === true) doc.api.disableExecuteApiEndpoint = true
  if (Array.isArray(endpoint['vpcEndpointIds']))
    doc.api.endpointConfiguration.vpcEndpointIds = endpoint['vpcEndpointIds'] as string[]

  // Documentation parts (x-amazon-apigateway-documentation).
  const documentation = documentationPartsOf(source)
  if (documentation.length)
    doc.documentationParts = Object.fromEntries(documentation.map((part) => [part.id, part]))

  // Models.
  const schemas = isOas3(source) ? obj(obj(source['components'])['schemas']) : obj(source['definitions'])
  for (const [name, schema] of Object.entries(schemas)) {
    if (!/^[A-Za-z0-9]+$/.test(name)) {
      warnings.push(`Model name ${name} is not alphanumeric: ignored`)
      continue
    }
    const existingModel = doc.models[name]
    const model: Model = {
      id: existingModel?.id ?? newId(6),
      name,
      contentType: 'application/json',
      schema: JSON.stringify(rewriteRefs(schema, apiId)),
    }
    const modelDescription = str(obj(schema)['description'])
    if (modelDescription) model.description = modelDescription
    doc.models[name] = model
  }

  // Request validators.
  const validatorIds = new Map<string, string>()
  for (const [name, settings] of Object.entries(obj(source['x-amazon-apigateway-request-validators']))) {
    const found = Object.values(doc.requestValidators).find((v) => v.name === name)
    const validator: RequestValidator = {
      id: found?.id ?? newId(6),
      name,
      validateRequestBody: obj(settings)['validateRequestBody'] === true,
      validateRequestParameters: obj(settings)['validateRequestParameters'] === true,
    }
    doc.requestValidators[validator.id] = validator
    validatorIds.set(name, validator.id)
  }
  const defaultValidator = str(source['x-amazon-apigateway-request-validator'])

  // Authorizers, from security schemes carrying x-amazon-apigateway-authorizer.
  const authorizerIds = importAuthorizers(source, doc)

  // Gateway responses.
  for (const [type, response] of Object.entries(obj(source['x-amazon-apigateway-gateway-responses']))) {
    const r = obj(response)
    const gatewayResponse: GatewayResponse = {
      responseType: type as GatewayResponseType,
      defaultResponse: false,
      responseParameters: stringMap(r['responseParameters']),
      responseTemplates: stringMap(r['responseTemplates']),
      ...(r['statusCode'] !== undefined ? { statusCode: scalarText(r['statusCode']) } : {}),
    }
    doc.gatewayResponses[type] = gatewayResponse
  }

  // Resources and methods.
  const rootId = doc.api.rootResourceId
  const prefix = basePathPrefix(source, basePathMode)
  for (const [path, item] of Object.entries(obj(source['paths']))) {
    const resourceId = ensureResource(doc, rootId, `${prefix}${path}`)
    const resource = doc.resources[resourceId] as ResourceRecord
    const pathItem = obj(item)
    const sharedParameters = Array.isArray(pathItem['parameters']) ? pathItem['parameters'] : []
    for (const [verb, operation] of Object.entries(pathItem)) {
      const httpMethod = VERBS[verb.toLowerCase()]
      if (!httpMethod) continue
      const method = importMethod(
        source,
        httpMethod,
        obj(operation),
        sharedParameters,
        validatorIds,
        defaultValidator,
        resourceId,
        authorizerIds,
      )
      resource.resourceMethods = { ...resource.resourceMethods, [httpMethod]: method }
    }
  }
  return { doc, warnings }
}

function ensureResource(doc: RestApiDocument, rootId: string, path: string): string {
  let current = rootId
  for (const part of path.split('/').filter(Boolean)) {
    const child = Object.values(doc.resources).find((r) => r.parentId === current && r.pathPart === part)
    if (child) {
      current = child.id
      continue
    }
    if (!/^(?:[A-Za-z0-9._\-:~@!$&'()*+,;=]+|\{[A-Za-z0-9._-]+\+?\})$/.test(part)) {
      throw badRequest(`Invalid OpenAPI input: invalid path part ${part} in ${path}`)
    }
    const id = newId(6)
    doc.resources[id] = { id, parentId: current, pathPart: part }
    current = id
  }
  return current
}

function importMethod(
  source: OpenApiDocument,
  httpMethod: HttpMethod,
  operation: Record<string, unknown>,
  sharedParameters: unknown[],
  validatorIds: Map<string, string>,
  defaultValidator: string | undefined,
  resourceId: string,
  authorizerIds: ReadonlyMap<string, Authorizer>,
): Method {
  const requestParameters: Record<string, boolean> = {}
  const requestModels: Record<string, string> = {}
  const own: unknown[] = Array.isArray(operation['parameters']) ? (operation['parameters'] as unknown[]) : []
  const parameters = [...sharedParameters, ...own]
  for (const raw of parameters) {
    const parameter = resolveRef(source, obj(raw))
    const location = { path: 'path', query: 'querystring', header: 'header' }[str(parameter['in']) ?? '']
    const name = str(parameter['name'])
    if (location && name)
      requestParameters[`method.request.${location}.${name}`] = parameter['required'] === true
    if (parameter['in'] === 'body') {
      const model = refName(obj(parameter['schema']))
      if (model) requestModels['application/json'] = model
    }
  }
  for (const [contentType, media] of Object.entries(obj(obj(operation['requestBody'])['content']))) {
    const model = refName(obj(obj(media)['schema']))
    if (model) requestModels[contentType] = model
  }
  const methodResponses: Record<string, MethodResponse> = {}
  for (const [status, raw] of Object.entries(obj(operation['responses']))) {
    if (!/^[1-5]\d\d$/.test(status)) continue
    const response = obj(raw)
    const headers = Object.keys(obj(response['headers']))
    const models: Record<string, string> = {}
    const schema = obj(response['schema'])
    if (refName(schema)) models['application/json'] = refName(schema) as string
    for (const [contentType, media] of Object.entries(obj(response['content']))) {
      const model = refName(obj(obj(media)['schema']))
      if (model) models[contentType] = model
    }
    methodResponses[status] = {
      statusCode: status,
      ...(headers.length
        ? {
            responseParameters: Object.fromEntries(
              headers.map((h) => [`method.response.header.${h}`, false]),
            ),
          }
        : {}),
      ...(Object.keys(models).length ? { responseModels: models } : {}),
    }
  }
  const security = Array.isArray(operation['security'])
    ? operation['security']
    : Array.isArray(source['security'])
      ? source['security']
      : []
  const apiKeySchemes = Object.entries(securitySchemes(source))
    .filter(
      ([, scheme]) =>
        obj(scheme)['type'] === 'apiKey' && obj(scheme)['x-amazon-apigateway-authtype'] === undefined,
    )
    .map(([name]) => name)
  const apiKeyRequired = security.some((entry) =>
    Object.keys(obj(entry)).some((name) => apiKeySchemes.includes(name)),
  )
  const auth = authorizationOf(source, operation, security, authorizerIds)
  const validatorName = str(operation['x-amazon-apigateway-request-validator']) ?? defaultValidator
  const requestValidatorId = validatorName ? validatorIds.get(validatorName) : undefined
  const integration = importIntegration(obj(operation['x-amazon-apigateway-integration']), resourceId)
  const operationId = str(operation['operationId'])
  return {
    httpMethod,
    ...auth,
    apiKeyRequired,
    ...(operationId ? { operationName: operationId } : {}),
    ...(requestValidatorId ? { requestValidatorId } : {}),
    ...(Object.keys(requestParameters).length ? { requestParameters } : {}),
    ...(Object.keys(requestModels).length ? { requestModels } : {}),
    ...(Object.keys(methodResponses).length ? { methodResponses } : {}),
    ...(integration ? { methodIntegration: integration } : {}),
  }
}

function importIntegration(raw: Record<string, unknown>, resourceId: string): Integration | undefined {
  const type = str(raw['type'])?.toUpperCase() as IntegrationType | undefined
  if (!type) return undefined
  const responses: Record<string, IntegrationResponse> = {}
  for (const [pattern, value] of Object.entries(obj(raw['responses']))) {
    const r = obj(value)
    const statusCode = scalarText(r['statusCode'] ?? '200')
    const contentHandling = str(r['contentHandling']) as ContentHandling | undefined
    responses[statusCode] = {
      statusCode,
      ...(pattern !== 'default' ? { selectionPattern: pattern } : {}),
      ...(r['responseParameters'] ? { responseParameters: stringMap(r['responseParameters']) } : {}),
      ...(r['responseTemplates'] ? { responseTemplates: stringMap(r['responseTemplates']) } : {}),
      ...(contentHandling ? { contentHandling } : {}),
    }
  }
  const httpMethod = str(raw['httpMethod'])?.toUpperCase()
  const uri = str(raw['uri'])
  const credentials = str(raw['credentials'])
  const contentHandling = str(raw['contentHandling']) as ContentHandling | undefined
  const cacheNamespace = str(raw['cacheNamespace'])
  const connectionType = str(raw['connectionType'])
  const connectionId = str(raw['connectionId'])
  return {
    type,
    ...(httpMethod ? { httpMethod } : {}),
    ...(uri ? { uri } : {}),
    ...(credentials ? { credentials } : {}),
    ...(raw['requestParameters'] ? { requestParameters: stringMap(raw['requestParameters']) } : {}),
    ...(raw['requestTemplates'] ? { requestTemplates: stringMap(raw['requestTemplates']) } : {}),
    passthroughBehavior: (
      str(raw['passthroughBehavior']) ?? 'when_no_match'
    ).toUpperCase() as PassthroughBehavior,
    ...(contentHandling ? { contentHandling } : {}),
    timeoutInMillis: typeof raw['timeoutInMillis'] === 'number' ? raw['timeoutInMillis'] : 29_000,
    cacheNamespace: cacheNamespace ?? resourceId,
    cacheKeyParameters: Array.isArray(raw['cacheKeyParameters'])
      ? (raw['cacheKeyParameters'] as string[])
      : [],
    ...(connectionType ? { connectionType: connectionType as 'INTERNET' | 'VPC_LINK' } : {}),
    ...(connectionId ? { connectionId } : {}),
    ...(Object.keys(responses).length ? { integrationResponses: responses } : {}),
  }
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, item] of Object.entries(obj(value)))
    out[key] = typeof item === 'string' ? item : JSON.stringify(item)
  return out
}

/** `#/definitions/Pet` or `#/components/schemas/Pet` → `Pet`. */
function refName(schema: Record<string, unknown>): string | undefined {
  const ref = str(schema['$ref'])
  return ref?.split('/').pop()
}

function resolveRef(source: OpenApiDocument, value: Record<string, unknown>): Record<string, unknown> {
  const ref = str(value['$ref'])
  if (!ref?.startsWith('#/')) return value
  let current: unknown = source
  for (const part of ref.slice(2).split('/')) current = obj(current)[part]
  return obj(current)
}

/** Schema `$ref`s to other models become API Gateway model URIs (AWS docs "models-mappings-models"). */
function rewriteRefs(schema: unknown, apiId: string): unknown {
  if (Array.isArray(schema)) return schema.map((item) => rewriteRefs(item, apiId))
  if (schema === null || typeof schema !== 'object') return schema
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(schema)) {
    out[key] =
      key === '$ref' && typeof value === 'string' && value.startsWith('#/')
        ? `https://apigateway.amazonaws.com/restapis/${apiId}/models/${value.split('/').pop() ?? ''}`
        : rewriteRefs(value, apiId)
  }
  return out
}

/** A status code written as a number or a string (AWS accepts both: test_import_with_integer_http_status_code). */
function scalarText(value: unknown): string {
  return typeof value === 'number' || typeof value === 'string' ? String(value) : '200'
}

/** The security schemes of a document (OpenAPI 3 `components.securitySchemes`, Swagger 2 `securityDefinitions`). */
function securitySchemes(source: OpenApiDocument): Record<string, unknown> {
  return isOas3(source)
    ? obj(obj(source['components'])['securitySchemes'])
    : obj(source['securityDefinitions'])
}

const AUTHORIZER_TYPE: Readonly<Record<string, AuthorizerType>> = {
  token: 'TOKEN',
  request: 'REQUEST',
  cognito_user_pools: 'COGNITO_USER_POOLS',
}

/**
 * Authorizers from the security schemes that carry `x-amazon-apigateway-authorizer` (AWS docs
 * "api-gateway-swagger-extensions-authorizer"): named after the scheme, the TOKEN identity source
 * taken from the scheme's header when the extension gives none; an authorizer of the same name is
 * updated in place (merge keeps its id). Returns them by scheme name.
 */
function importAuthorizers(source: OpenApiDocument, doc: RestApiDocument): Map<string, Authorizer> {
  const byScheme = new Map<string, Authorizer>()
  for (const [name, raw] of Object.entries(securitySchemes(source))) {
    const scheme = obj(raw)
    const extension = obj(scheme['x-amazon-apigateway-authorizer'])
    const type = AUTHORIZER_TYPE[(str(extension['type']) ?? '').toLowerCase()]
    if (!type) continue
    const existing = Object.values(doc.authorizers ?? {}).find((a) => a.name === name)
    const header = scheme['in'] === 'header' ? str(scheme['name']) : undefined
    const identitySource =
      str(extension['identitySource']) ??
      (type !== 'REQUEST' && header ? `method.request.header.${header}` : undefined)
    const ttl = extension['authorizerResultTtlInSeconds']
    const providerARNs = Array.isArray(extension['providerARNs'])
      ? extension['providerARNs'].filter((a): a is string => typeof a === 'string')
      : undefined
    const optional: Record<string, unknown> = {
      authType: str(scheme['x-amazon-apigateway-authtype']),
      authorizerUri: str(extension['authorizerUri']),
      authorizerCredentials: str(extension['authorizerCredentials']),
      identitySource,
      identityValidationExpression: str(extension['identityValidationExpression']),
      authorizerResultTtlInSeconds: typeof ttl === 'number' ? ttl : undefined,
      providerARNs,
    }
    const authorizer: Authorizer = { id: existing?.id ?? newId(6), name, type }
    for (const [key, value] of Object.entries(optional))
      if (value !== undefined) (authorizer as unknown as Record<string, unknown>)[key] = value
    doc.authorizers = { ...doc.authorizers, [authorizer.id]: authorizer }
    byScheme.set(name, authorizer)
  }
  return byScheme
}

/**
 * A method's authorization: `x-amazon-apigateway-auth` (`AWS_IAM`, `NONE`) wins; else the first
 * security requirement naming an authorizer scheme (CUSTOM, or COGNITO_USER_POOLS with its
 * scopes); else a scheme with `x-amazon-apigateway-authtype: awsSigv4` (AWS_IAM); else NONE.
 */
function authorizationOf(
  source: OpenApiDocument,
  operation: Record<string, unknown>,
  security: unknown[],
  authorizers: ReadonlyMap<string, Authorizer>,
): Pick<Method, 'authorizationType' | 'authorizerId' | 'authorizationScopes'> {
  const explicit = str(obj(operation['x-amazon-apigateway-auth'])['type'])?.toUpperCase()
  if (explicit === 'AWS_IAM' || explicit === 'NONE') return { authorizationType: explicit }
  const schemes = securitySchemes(source)
  for (const entry of security) {
    for (const [name, scopes] of Object.entries(obj(entry))) {
      const authorizer = authorizers.get(name)
      if (authorizer) {
        const cognito = authorizer.type === 'COGNITO_USER_POOLS'
        const scopeList = Array.isArray(scopes)
          ? scopes.filter((x): x is string => typeof x === 'string')
          : []
        return {
          authorizationType: cognito ? 'COGNITO_USER_POOLS' : 'CUSTOM',
          authorizerId: authorizer.id,
          ...(cognito && scopeList.length ? { authorizationScopes: scopeList } : {}),
        }
      }
      if (str(obj(schemes[name])['x-amazon-apigateway-authtype'])?.toLowerCase() === 'awssigv4')
        return { authorizationType: 'AWS_IAM' }
    }
  }
  return { authorizationType: 'NONE' }
}
