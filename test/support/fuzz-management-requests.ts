import fc from 'fast-check'
import { MANAGEMENT_ROUTES } from '../../src/controlplane/index.js'
import type { Route } from '../../src/controlplane/router.js'
import { anyJson, anyObject, deepJsonText, hostileString, mostly, wellFormed } from './fuzz.js'
import type { FuzzState } from './fuzz-management-state.js'

/** One generated management call, ready to send. */
export interface FuzzRequest {
  /** `METHOD /template`, the operation aimed at. */
  operation: string
  method: string
  /** Raw path and query, percent-encoded as sent. */
  path: string
  contentType: string
  body?: string | Uint8Array
}

/**
 * A reference to a record that exists when the request is sent (the store changes between
 * requests, so generators draw an index and the request resolves it against the current state).
 */
class Ref {
  constructor(
    readonly kind: RefKind,
    readonly n: number,
  ) {}
}
type RefKind =
  | 'api'
  | 'resource'
  | 'deployment'
  | 'stage'
  | 'authorizer'
  | 'validator'
  | 'model'
  | 'apikey'
  | 'plan'
  | 'vpclink'
  | 'clientcert'
  | 'apiStage'

const ref = (kind: RefKind): fc.Arbitrary<Ref> => fc.nat().map((n) => new Ref(kind, n))
const one = (...values: unknown[]): fc.Arbitrary<unknown> => mostly(fc.constantFrom(...values))

const LAMBDA_URI =
  'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:f/invocations'
const TEMPLATES = one(
  { 'application/json': '{"statusCode": 200}' },
  { 'application/json': '#set($a = ' },
  { 'application/json': '$input.json("$")$util.parseJson("{")' },
  { 'application/json': '#foreach($i in [1..5000])$i#end' },
  { 'text/plain': '$context.requestId', 'application/xml': '' },
  {},
)

/** Plausible values for every body member the management API reads (hostile a quarter of the time). */
const FIELDS: Record<string, fc.Arbitrary<unknown>> = {
  name: one('n', 'Pet2', 'fuzz-x', 'Pet'),
  description: one('d', ''),
  version: one('1'),
  cloneFrom: mostly(ref('api')),
  binaryMediaTypes: one(['image/png'], ['*/*'], ['a/b', 'a/b']),
  minimumCompressionSize: one(0, 1024, -1, 10_485_761),
  apiKeySource: one('HEADER', 'AUTHORIZER'),
  endpointConfiguration: one(
    { types: ['REGIONAL'] },
    { types: ['EDGE'] },
    { types: ['PRIVATE'] },
    { types: [] },
  ),
  policy: one(
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: '*' }],
    }),
    '{',
  ),
  tags: one({ k: 'v' }, { 'aws:x': 'v' }, { '': '' }),
  disableExecuteApiEndpoint: one(true, false),
  pathPart: one('a', 'b', '{id}', '{proxy+}', 'items', 'pets', '{x}', 'a b', '', '{a}{b}'),
  authorizationType: one('NONE', 'AWS_IAM', 'CUSTOM', 'COGNITO_USER_POOLS'),
  authorizerId: mostly(ref('authorizer')),
  apiKeyRequired: one(true, false),
  operationName: one('op'),
  requestParameters: one(
    { 'method.request.querystring.q': true },
    { 'method.request.header.X-A': false, 'method.request.path.id': true },
    { 'integration.request.header.x': 'method.request.path.id' },
    { 'integration.request.querystring.y': "'lit'" },
    { bogus: true },
  ),
  requestModels: one({ 'application/json': 'Pet' }, { 'application/json': 'Empty' }, { 'a/b': 'Missing' }),
  requestValidatorId: mostly(ref('validator')),
  authorizationScopes: one(['s'], []),
  responseParameters: one(
    { 'method.response.header.X': true },
    { 'method.response.header.X': "'v'" },
    { 'gatewayresponse.header.X': "'v'" },
    { 'method.response.header.Y': 'integration.response.body.a' },
  ),
  responseModels: one({ 'application/json': 'Empty' }, { 'application/json': 'Nope' }),
  responseTemplates: TEMPLATES,
  requestTemplates: TEMPLATES,
  statusCode: one('200', '403', '999', 'abc', 200),
  selectionPattern: one('', '.*', '(', '4\\d{2}', '['),
  type: one('MOCK', 'HTTP', 'HTTP_PROXY', 'AWS', 'AWS_PROXY', 'TOKEN', 'REQUEST', 'COGNITO_USER_POOLS'),
  httpMethod: one('GET', 'POST', 'ANY', 'get'),
  integrationHttpMethod: one('GET', 'POST', 'ANY'),
  uri: one(
    'http://127.0.0.1:1/x',
    'http://127.0.0.1:1/{id}',
    LAMBDA_URI,
    'arn:aws:apigateway:us-east-1:s3:path/b/k',
    'x',
  ),
  connectionType: one('INTERNET', 'VPC_LINK'),
  connectionId: mostly(ref('vpclink')),
  credentials: one('arn:aws:iam::000000000000:role/r', 'arn:aws:iam::*:user/*'),
  passthroughBehavior: one('WHEN_NO_MATCH', 'NEVER', 'WHEN_NO_TEMPLATES'),
  contentHandling: one('CONVERT_TO_TEXT', 'CONVERT_TO_BINARY'),
  timeoutInMillis: one(50, 29_000, 0, 300_000),
  cacheNamespace: one('ns'),
  cacheKeyParameters: one(['method.request.querystring.q'], ['nope']),
  tlsConfig: one({ insecureSkipVerification: true }),
  schema: one(
    JSON.stringify({ type: 'object', properties: { name: { type: 'string' } }, required: ['name'] }),
    JSON.stringify({ $ref: 'https://apigateway.amazonaws.com/restapis/x/models/Pet' }),
    JSON.stringify({ $ref: '#/definitions/nope' }),
    JSON.stringify({ type: 'string', pattern: '(' }),
    '{',
  ),
  contentType: one('application/json', 'text/plain', ''),
  validateRequestBody: one(true, false),
  validateRequestParameters: one(true, false),
  stageName: one('prod', 'dev', '$bad', 'a'.repeat(200)),
  stageDescription: one('s'),
  deploymentId: mostly(ref('deployment')),
  variables: one({ a: 'b' }, { 'bad key': 'v' }, { a: 'x'.repeat(600) }),
  cacheClusterEnabled: one(true, false),
  cacheClusterSize: one('0.5', '999'),
  canarySettings: one({ percentTraffic: 10 }, { percentTraffic: 200 }, { deploymentId: 'nope' }),
  tracingEnabled: one(true, false),
  documentationVersion: one('v1', 'v2'),
  identitySource: one('method.request.header.Authorization', 'method.request.querystring.t', 'x'),
  identityValidationExpression: one('^x$', '('),
  authorizerUri: one(LAMBDA_URI, 'x'),
  authorizerCredentials: one('arn:aws:iam::000000000000:role/r'),
  authorizerResultTtlInSeconds: one(0, 300, 3601, -1),
  providerARNs: one(['arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_x'], []),
  location: one(
    { type: 'API' },
    { type: 'RESOURCE', path: '/pets' },
    { type: 'METHOD', path: '/pets', method: 'GET' },
    { type: 'RESPONSE', path: '/pets', method: 'GET', statusCode: '200' },
    { type: 'MODEL', name: 'Pet' },
    { type: 'NOPE' },
  ),
  properties: one('{"a":1}', '{'),
  value: one('a'.repeat(20), 'short'),
  enabled: one(true, false),
  generateDistinctId: one(true, false),
  stageKeys: mostly(
    fc.tuple(ref('api'), one('prod')).map(([restApiId, stageName]) => [{ restApiId, stageName }]),
  ),
  customerId: one('c'),
  apiStages: mostly(
    fc
      .tuple(ref('api'), one('prod', 'nope'))
      .map(([apiId, stage]) => [
        { apiId, stage, throttle: { '/pets/GET': { burstLimit: 1, rateLimit: 1 } } },
      ]),
  ),
  throttle: one({ burstLimit: 10, rateLimit: 5 }, { burstLimit: -1, rateLimit: 'x' }),
  quota: one(
    { limit: 100, period: 'DAY', offset: 0 },
    { limit: 1, period: 'WEEK', offset: 9 },
    { period: 'NOPE' },
  ),
  productCode: one('p'),
  keyId: mostly(ref('apikey')),
  keyType: one('API_KEY', 'NOPE'),
  domainName: one('x.fuzz.test', 'api.fuzz.test', 'UPPER.test'),
  certificateName: one('c'),
  certificateArn: one('arn:aws:acm:us-east-1:000000000000:certificate/x'),
  regionalCertificateArn: one('arn:aws:acm:us-east-1:000000000000:certificate/x'),
  securityPolicy: one('TLS_1_2', 'TLS_1_0', 'NOPE'),
  mutualTlsAuthentication: one({ truststoreUri: 's3://b/k' }),
  basePath: one('', '(none)', 'v2', 'a/b', 'v1'),
  restApiId: mostly(ref('api')),
  stage: one('prod', 'nope'),
  targetArns: one(['arn:aws:elasticloadbalancing:nlb'], []),
  pathWithQueryString: one('/pets?q=1', '/pets/1', '', '/%'),
  body: one('{"name":"x"}', '{'),
  headers: one({ Authorization: 'allow' }, { 'x-api-key': 'k' }),
  multiValueHeaders: one({ a: ['1', '2'] }),
  stageVariables: one({ v: '1' }),
  clientCertificateId: mostly(ref('clientcert')),
  openapi: one('3.0.1'),
  swagger: one('2.0'),
  info: one({ title: 't', version: '1' }),
  paths: one(
    { '/a': { get: { 'x-amazon-apigateway-integration': { type: 'mock' } } } },
    { '/{x}/{x}': { get: {} } },
    { a: { nope: 1 } },
  ),
  FunctionName: one('f', 'fn-1'),
  Runtime: one('nodejs20.x', 'cobol'),
  Role: one('arn:aws:iam::000000000000:role/r'),
  Handler: one('index.handler'),
  Code: one({ ZipFile: 'UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==' }, { ZipFile: '!!' }),
  ZipFile: one('UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=='),
  Timeout: one(3, 0, 901),
  MemorySize: one(128, 1),
  Environment: one({ Variables: { A: '1' } }),
  FunctionVersion: one('$LATEST', '1'),
  Description: one('d'),
  ReservedConcurrentExecutions: one(1, -1),
  StatementId: one('s'),
  Action: one('lambda:InvokeFunction'),
  Principal: one('apigateway.amazonaws.com'),
}

/** Which members each family's bodies carry (by the last literal segment of the operation's path). */
const FAMILY_FIELDS: Record<string, readonly string[]> = {
  restapis: [
    'name',
    'description',
    'version',
    'cloneFrom',
    'binaryMediaTypes',
    'minimumCompressionSize',
    'apiKeySource',
    'endpointConfiguration',
    'policy',
    'tags',
    'disableExecuteApiEndpoint',
    'openapi',
    'swagger',
    'info',
    'paths',
  ],
  resources: ['pathPart'],
  methods: [
    'authorizationType',
    'authorizerId',
    'apiKeyRequired',
    'operationName',
    'requestParameters',
    'requestModels',
    'requestValidatorId',
    'authorizationScopes',
  ],
  'test-invoke': [
    'pathWithQueryString',
    'body',
    'headers',
    'multiValueHeaders',
    'clientCertificateId',
    'stageVariables',
  ],
  responses: [
    'statusCode',
    'responseParameters',
    'responseModels',
    'selectionPattern',
    'responseTemplates',
    'contentHandling',
  ],
  integration: [
    'type',
    'httpMethod',
    'integrationHttpMethod',
    'uri',
    'connectionType',
    'connectionId',
    'credentials',
    'requestParameters',
    'requestTemplates',
    'passthroughBehavior',
    'contentHandling',
    'timeoutInMillis',
    'cacheNamespace',
    'cacheKeyParameters',
    'tlsConfig',
  ],
  models: ['name', 'description', 'schema', 'contentType'],
  requestvalidators: ['name', 'validateRequestBody', 'validateRequestParameters'],
  gatewayresponses: ['statusCode', 'responseParameters', 'responseTemplates'],
  deployments: [
    'stageName',
    'stageDescription',
    'description',
    'cacheClusterEnabled',
    'cacheClusterSize',
    'variables',
    'canarySettings',
    'tracingEnabled',
  ],
  stages: [
    'stageName',
    'deploymentId',
    'description',
    'cacheClusterEnabled',
    'cacheClusterSize',
    'variables',
    'documentationVersion',
    'canarySettings',
    'tracingEnabled',
    'tags',
  ],
  tags: ['tags'],
  parts: ['location', 'properties', 'openapi', 'info', 'paths'],
  versions: ['documentationVersion', 'stageName', 'description'],
  apikeys: [
    'name',
    'description',
    'enabled',
    'generateDistinctId',
    'value',
    'stageKeys',
    'customerId',
    'tags',
  ],
  usageplans: ['name', 'description', 'apiStages', 'throttle', 'quota', 'productCode', 'tags'],
  keys: ['keyId', 'keyType'],
  domainnames: [
    'domainName',
    'certificateName',
    'certificateArn',
    'regionalCertificateArn',
    'endpointConfiguration',
    'securityPolicy',
    'mutualTlsAuthentication',
    'tags',
  ],
  basepathmappings: ['basePath', 'restApiId', 'stage'],
  vpclinks: ['name', 'description', 'targetArns', 'tags'],
  clientcertificates: ['description', 'tags'],
  authorizers: [
    'name',
    'type',
    'providerARNs',
    'authorizerUri',
    'authorizerCredentials',
    'identitySource',
    'identityValidationExpression',
    'authorizerResultTtlInSeconds',
    'headers',
    'pathWithQueryString',
    'body',
    'stageVariables',
  ],
  lambda: [
    'FunctionName',
    'Runtime',
    'Role',
    'Handler',
    'Code',
    'ZipFile',
    'Timeout',
    'MemorySize',
    'Environment',
    'Name',
    'FunctionVersion',
    'Description',
    'ReservedConcurrentExecutions',
    'StatementId',
    'Action',
    'Principal',
  ],
}

/** Real patch paths of each family, for PATCH operations. */
const PATCH_PATHS: Record<string, readonly string[]> = {
  restapis: [
    '/name',
    '/description',
    '/binaryMediaTypes/image~1png',
    '/minimumCompressionSize',
    '/apiKeySource',
    '/policy',
    '/endpointConfiguration/types/0',
    '/endpointConfiguration/types/REGIONAL',
    '/disableExecuteApiEndpoint',
    '/rootResourceId',
  ],
  resources: ['/pathPart', '/parentId'],
  methods: [
    '/authorizationType',
    '/authorizerId',
    '/apiKeyRequired',
    '/requestParameters/method.request.querystring.q',
    '/requestModels/application~1json',
    '/requestValidatorId',
    '/operationName',
    '/authorizationScopes',
  ],
  responses: [
    '/responseParameters/method.response.header.X',
    '/responseModels/application~1json',
    '/selectionPattern',
    '/responseTemplates/application~1json',
    '/contentHandling',
    '/statusCode',
  ],
  integration: [
    '/uri',
    '/type',
    '/httpMethod',
    '/requestTemplates/application~1json',
    '/requestParameters/integration.request.header.x',
    '/passthroughBehavior',
    '/timeoutInMillis',
    '/cacheKeyParameters/method.request.querystring.q',
    '/connectionId',
    '/connectionType',
    '/contentHandling',
    '/tlsConfig/insecureSkipVerification',
    '/credentials',
  ],
  models: ['/schema', '/description', '/name', '/contentType'],
  requestvalidators: ['/name', '/validateRequestBody', '/validateRequestParameters'],
  gatewayresponses: [
    '/statusCode',
    '/responseParameters/gatewayresponse.header.x',
    '/responseTemplates/application~1json',
  ],
  deployments: ['/description', '/id'],
  stages: [
    '/deploymentId',
    '/description',
    '/variables/a',
    '/cacheClusterEnabled',
    '/cacheClusterSize',
    '/tracingEnabled',
    '/documentationVersion',
    '/*/*/throttling/burstLimit',
    '/*/*/throttling/rateLimit',
    '/*/*/caching/enabled',
    '/~1pets/GET/logging/loglevel',
    '/*/*/metrics/enabled',
    '/accessLogSettings/format',
    '/accessLogSettings/destinationArn',
    '/canarySettings/percentTraffic',
    '/canarySettings/deploymentId',
    '/clientCertificateId',
    '/webAclArn',
  ],
  parts: ['/properties'],
  versions: ['/description'],
  apikeys: ['/name', '/description', '/enabled', '/customerId', '/value', '/stages'],
  usageplans: [
    '/name',
    '/description',
    '/apiStages',
    '/throttle/burstLimit',
    '/throttle/rateLimit',
    '/quota/limit',
    '/quota/period',
    '/quota/offset',
    '/productCode',
  ],
  usage: ['/remaining', '/limit'],
  domainnames: [
    '/certificateArn',
    '/regionalCertificateArn',
    '/securityPolicy',
    '/endpointConfiguration/types/0',
    '/certificateName',
    '/mutualTlsAuthentication/truststoreUri',
  ],
  vpclinks: ['/name', '/description'],
  clientcertificates: ['/description'],
  authorizers: [
    '/name',
    '/type',
    '/authorizerUri',
    '/identitySource',
    '/identityValidationExpression',
    '/authorizerResultTtlInSeconds',
    '/providerARNs',
    '/authorizerCredentials',
  ],
}
const BOGUS_PATCH_PATHS = [
  '',
  '/',
  '/__proto__',
  '/__proto__/polluted',
  '/constructor/prototype/polluted',
  '/a/b/c/d/e',
  '~',
  '/~2',
  '/apiStages/x:y/throttle/~1pets~1GET/rateLimit',
]

const QUERY_KEYS = [
  'position',
  'limit',
  'mode',
  'failonwarnings',
  'format',
  'extensions',
  'embed',
  'includeValues',
  'includeValue',
  'nameQuery',
  'customerId',
  'keyId',
  'startDate',
  'endDate',
  'type',
  'path',
  'name',
  'locationStatus',
  'tagKeys',
  'flatten',
  'parameters.x',
  'Qualifier',
  'MaxItems',
  'Marker',
  'FunctionVersion',
]
const QUERY_VALUES = [
  '1',
  '0',
  '-5',
  '500',
  '99999999999999999999',
  'true',
  'merge',
  'overwrite',
  'import',
  '2026-12-01',
  '2026-12-31',
  'OPENAPI',
  'swagger',
  'oas30',
  'DOCUMENTED',
  'methods',
  'k',
  'abc',
]

function familyOf(route: Route): string {
  if (route.path.startsWith('/2015-') || route.path.startsWith('/2017-') || route.path.startsWith('/2019-'))
    return 'lambda'
  if (route.method === 'POST' && route.path.endsWith('/methods/{http_method}')) return 'test-invoke'
  const literals = route.path.split('/').filter((s) => s !== '' && !s.startsWith('{'))
  const last = literals.at(-1) ?? ''
  return last === 'data' ? 'cache' : last
}

function patchOperations(family: string): fc.Arbitrary<unknown> {
  const paths = [...(PATCH_PATHS[family] ?? []), ...BOGUS_PATCH_PATHS]
  const operation = fc.record(
    {
      op: one('add', 'remove', 'replace', 'move', 'copy', 'test', 'REPLACE', 'nope'),
      path: mostly(fc.constantFrom(...paths)),
      value: fc.oneof(
        fc.constantFrom(
          'x',
          'true',
          'false',
          '0',
          '10',
          '-1',
          '1e9',
          'REGIONAL',
          'application/json',
          'NONE',
          'MOCK',
          'prod',
        ),
        fc
          .constantFrom<RefKind>(
            'api',
            'deployment',
            'authorizer',
            'validator',
            'vpclink',
            'clientcert',
            'apiStage',
          )
          .chain(ref),
        anyJson,
      ),
      from: mostly(fc.constantFrom(...paths)),
    },
    { requiredKeys: ['op', 'path'] },
  )
  return fc.record({ patchOperations: mostly(fc.array(operation, { maxLength: 4 })) })
}

function jsonBody(route: Route): fc.Arbitrary<Record<string, unknown>> {
  const family = familyOf(route)
  if (route.method === 'PATCH') return patchOperations(family).map((ops) => ops as Record<string, unknown>)
  const names = FAMILY_FIELDS[family] ?? []
  const fields = fc.record(Object.fromEntries(names.map((name) => [name, FIELDS[name] ?? anyJson])), {
    requiredKeys: [],
  })
  return fc
    .tuple(fields, fc.option(anyObject(anyJson), { freq: 4 }))
    .map(([known, extra]) => ({ ...extra, ...known }))
}

const garbageBody: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.constantFrom(
    '{',
    '{"a":',
    'null',
    '[]',
    '"s"',
    '1',
    '\u0000',
    ' ',
    'openapi: 3.0.1\npaths: {}',
    '{"a":1}{"b":2}',
  ),
  fc.uint8Array({ maxLength: 64 }),
  deepJsonText(100_000),
  fc.constant(Uint8Array.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x22, 0x7d])),
)

/** A parameter of the path: an existing record's id (by index) or a hostile string. */
type Param = { pick: number } | { raw: string; encode: boolean }
const param: fc.Arbitrary<Param> = fc.oneof(
  { weight: 5, arbitrary: fc.nat().map((pick) => ({ pick })) },
  { weight: 1, arbitrary: fc.record({ raw: hostileString, encode: fc.boolean() }) },
)

const queryPart = (plausible: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...plausible) },
    { weight: 1, arbitrary: hostileString.map((s) => s.slice(0, 1_000)) },
  )

const query: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  {
    weight: 3,
    arbitrary: fc
      .array(fc.tuple(queryPart(QUERY_KEYS), queryPart(QUERY_VALUES)), { maxLength: 4 })
      .map(
        (pairs) =>
          `?${new URLSearchParams(pairs.map(([k, v]): [string, string] => [wellFormed(k), wellFormed(v)])).toString()}`,
      ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('?%zz', '?&&=&a=%', '?limit=%00', '?position=%F0%9F', '?=', '?a=1&a=2'),
  },
)

/**
 * Operations drawn a fifth as often as the others: deleting a whole API (or domain, plan,
 * function) ends most later requests' targets; a client certificate costs an RSA key generation.
 */
const SELDOM: readonly [string, RegExp][] = [
  ['DELETE', /^\/[^/]+(\/[^/]+)?\/\{[a-z_]+\}$/],
  ['POST', /^\/clientcertificates$/],
]

/**
 * A management request for any operation of the route table, as a function of the store's state
 * at the time it is sent.
 */
export const managementRequest: fc.Arbitrary<(state: FuzzState) => FuzzRequest> = fc
  .oneof(
    ...MANAGEMENT_ROUTES.map((route) => ({
      weight: SELDOM.some(([method, path]) => route.method === method && path.test(route.path)) ? 1 : 5,
      arbitrary: fc.constant(route),
    })),
  )
  .chain((route) => {
    const paramCount = (route.path.match(/\{/g) ?? []).length
    return fc.record({
      route: fc.constant(route),
      params: fc.array(param, { minLength: paramCount, maxLength: paramCount }),
      query,
      contentType: fc.constantFrom(
        'application/json',
        'application/json',
        'text/plain',
        'application/x-amz-json-1.1',
        '',
      ),
      body: fc.oneof(
        { weight: 8, arbitrary: jsonBody(route) },
        { weight: 1, arbitrary: anyJson.map((value) => ({ whole: value })) },
        { weight: 1, arbitrary: garbageBody.map((bytes) => ({ bytes })) },
        { weight: 1, arbitrary: fc.constant(undefined) },
      ),
    })
  })
  .map(({ route, params, query: search, contentType, body }) => (state: FuzzState) => {
    const resolver = new Resolver(state)
    let index = 0
    const path = route.path.replace(/\{([a-z_]+)\}/g, (_, name: string) =>
      resolver.pathParam(name, params[index++] ?? { pick: 0 }, route.path),
    )
    const operation = `${route.method} ${route.path}`
    const base = { operation, method: route.method, path: `${path}${search}`, contentType }
    if (body === undefined) return base
    if ('bytes' in body && (body.bytes instanceof Uint8Array || typeof body.bytes === 'string')) {
      return { ...base, body: body.bytes }
    }
    const value = 'whole' in body ? body['whole'] : body
    return {
      ...base,
      body: JSON.stringify(resolveRefs(value, resolver, 0)) ?? '',
    }
  })

/** Replaces refs, which generators place at most four levels down (deep values stay as they are). */
function resolveRefs(value: unknown, resolver: Resolver, depth: number): unknown {
  if (value instanceof Ref) return resolver.ref(value)
  if (depth > 4 || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((item) => resolveRefs(item, resolver, depth + 1))
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, resolver, depth + 1)]))
}

const pickOf = <T>(list: readonly T[], n: number): T | undefined => list[n % Math.max(list.length, 1)]

/** Resolves picks against the state, keeping a request coherent (a resource of the chosen API...). */
class Resolver {
  #api: FuzzState['apis'][number] | undefined
  #resource: string | undefined
  #method: string | undefined
  #plan: FuzzState['plans'][number] | undefined
  #domain: FuzzState['domains'][number] | undefined
  #function: FuzzState['functions'][number] | undefined

  constructor(readonly state: FuzzState) {}

  pathParam(name: string, p: Param, template: string): string {
    // Within Node's 24 KiB head limit: beyond it Node's parser refuses the request (431) before any
    // gateway code runs (see the data-plane fuzz for that case).
    if ('raw' in p) {
      const raw = p.raw.slice(0, 1_000)
      // Printable ASCII goes out as is half of the time, so `%`, `%2F` and `..` reach the parser raw.
      return !p.encode && /^[\x21-\x7e]*$/.test(raw) && !/[/?#]/.test(raw)
        ? raw
        : encodeURIComponent(wellFormed(raw))
    }
    // A record created with a 70,000-character id keeps it: cut, as a raw one (see above).
    const value = this.#pick(name, p.pick, template).slice(0, 1_000)
    return encodeURIComponent(wellFormed(value))
  }

  ref(r: Ref): string {
    const api = this.#api ?? pickOf(this.state.apis, r.n)
    const doc = api?.doc
    switch (r.kind) {
      case 'api':
        return pickOf(this.state.apis, r.n)?.id ?? 'none'
      case 'resource':
        return pickOf(Object.keys(doc?.resources ?? {}), r.n) ?? 'none'
      case 'deployment':
        return pickOf(api?.deployments ?? [], r.n) ?? 'none'
      case 'stage':
        return pickOf(api?.stages ?? [], r.n) ?? 'none'
      case 'apiStage':
        return `${api?.id ?? 'none'}:${pickOf(api?.stages ?? [], r.n) ?? 'prod'}`
      case 'authorizer':
        return pickOf(Object.keys(doc?.authorizers ?? {}), r.n) ?? 'none'
      case 'validator':
        return pickOf(Object.keys(doc?.requestValidators ?? {}), r.n) ?? 'none'
      case 'model':
        return pickOf(Object.keys(doc?.models ?? {}), r.n) ?? 'none'
      case 'apikey':
        return pickOf(this.state.apiKeys, r.n) ?? 'none'
      case 'plan':
        return pickOf(this.state.plans, r.n)?.id ?? 'none'
      case 'vpclink':
        return pickOf(this.state.vpcLinks, r.n) ?? 'none'
      case 'clientcert':
        return pickOf(this.state.clientCertificates, r.n) ?? 'none'
    }
  }

  #pick(name: string, n: number, template: string): string {
    const doc = this.#api?.doc
    switch (name) {
      case 'restapi_id':
        this.#api = pickOf(this.state.apis, n)
        return this.#api?.id ?? 'none'
      case 'resource_id':
      case 'parent_id': {
        this.#resource = pickOf(Object.keys(doc?.resources ?? {}), n) ?? 'none'
        return this.#resource
      }
      case 'http_method': {
        const methods = Object.keys(doc?.resources[this.#resource ?? '']?.resourceMethods ?? {})
        this.#method = pickOf([...methods, 'GET', 'ANY', 'PUT', 'get'], n) ?? 'GET'
        return this.#method
      }
      case 'status_code': {
        const method = doc?.resources[this.#resource ?? '']?.resourceMethods?.[this.#method as 'GET']
        const codes = template.includes('/integration/')
          ? Object.keys(method?.methodIntegration?.integrationResponses ?? {})
          : Object.keys(method?.methodResponses ?? {})
        return pickOf([...codes, '200', '404', '99'], n) ?? '200'
      }
      case 'model_name':
        return pickOf([...Object.keys(doc?.models ?? {}), 'Nope'], n) ?? 'Nope'
      case 'validator_id':
        return pickOf(Object.keys(doc?.requestValidators ?? {}), n) ?? 'none'
      case 'authorizer_id':
        return pickOf(Object.keys(doc?.authorizers ?? {}), n) ?? 'none'
      case 'response_type':
        return (
          pickOf([...Object.keys(doc?.gatewayResponses ?? {}), 'DEFAULT_5XX', 'THROTTLED', 'NOPE'], n) ??
          'NOPE'
        )
      case 'deployment_id':
        return pickOf(this.#api?.deployments ?? [], n) ?? 'none'
      case 'stage_name':
        return pickOf(this.#api?.stages ?? [], n) ?? 'none'
      case 'export_type':
        return pickOf(['swagger', 'oas30', 'nope'], n) ?? 'oas30'
      case 'part_id':
        return pickOf(Object.keys(doc?.documentationParts ?? {}), n) ?? 'none'
      case 'version':
        return pickOf(Object.keys(doc?.documentationVersions ?? {}), n) ?? 'none'
      case 'resource_arn': {
        const api = pickOf(this.state.apis, n)
        return pickOf(
          [
            `arn:aws:apigateway:us-east-1::/restapis/${api?.id ?? 'x'}/stages/${pickOf(api?.stages ?? [], n) ?? 'prod'}`,
            `arn:aws:apigateway:us-east-1::/restapis/${api?.id ?? 'x'}`,
            `arn:aws:apigateway:us-east-1::/apikeys/${pickOf(this.state.apiKeys, n) ?? 'x'}`,
            'arn:aws:apigateway:us-east-1::/nope',
          ],
          n,
        ) as string
      }
      case 'api_key':
        return pickOf(this.state.apiKeys, n) ?? 'none'
      case 'usageplan_id':
        this.#plan = pickOf(this.state.plans, n)
        return this.#plan?.id ?? 'none'
      case 'key_id':
        return pickOf([...(this.#plan?.keys ?? []), ...this.state.apiKeys], n) ?? 'none'
      case 'domain_name':
        this.#domain = pickOf(this.state.domains, n)
        return this.#domain?.name ?? 'none.test'
      case 'base_path':
        return pickOf([...(this.#domain?.basePaths ?? []), '(none)'], n) ?? '(none)'
      case 'vpclink_id':
        return pickOf(this.state.vpcLinks, n) ?? 'none'
      case 'clientcertificate_id':
        return pickOf(this.state.clientCertificates, n) ?? 'none'
      case 'function':
        this.#function = pickOf(this.state.functions, n)
        return this.#function?.name ?? 'nofn'
      case 'alias':
        return pickOf(this.#function?.aliases ?? [], n) ?? 'live'
      default:
        return String(n)
    }
  }
}
