/**
 * Tollgate in the bench: started as `node dist/tollgate.cjs serve ...` (the compiled bundle, as a
 * production node runs; `npm run build` first) on the servers' CPU, or `node bin/tollgate.js serve`
 * (the sources through tsx) with `--from-source`; and the
 * APIs every scenario loads, created through the management API:
 *
 * - `bench-regional` (REGIONAL), stage `live`: the same `{proxy+}` ANY HTTP_PROXY with the same
 *   stage variable and access log, without the CloudFront headers an EDGE API adds to the
 *   backend's request (the default type, and `bench-main`'s);
 * - `bench-main`, stages `live` and `cached` (same deployment, access log on, stage variable
 *   `backendHost`): `{proxy+}` ANY HTTP_PROXY to `http://${stageVariables.backendHost}/{proxy}`;
 *   `/templates` GET HTTP with a request and a response mapping template; `/get` GET HTTP_PROXY to
 *   the backend (`cached` has the stage cache on); `/lambda` ANY AWS_PROXY to function `bench`;
 * - `bench-small` (3 resources), stage `v1`: `/mock` GET MOCK, `/keyed` the same with an enforced
 *   API key in a usage plan whose limits never refuse;
 * - `bench-big` (3,000 resources, imported from OpenAPI), stage `v1`: the same `/mock` among them.
 */
import { mkdirSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { strToU8, zipSync } from 'fflate'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../test/support/process.js'
import { addUnlimitedPlanKey, call, putMockGet } from '../support.js'
import { LAMBDA_HANDLER, type Started } from './baselines.js'
import { firstSuccess } from './http.js'
import { startProcess } from './processes.js'

/** AWS's console JSON preset for access logs. */
export const ACCESS_LOG_FORMAT =
  '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength"}'

/** A typical request template (AWS PetStore style): ids, context, every header escaped. */
export const REQUEST_TEMPLATE = `{
  "id": "$util.escapeJavaScript($input.params('id'))",
  "stage": "$context.stage",
  "requestId": "$context.requestId",
  "sourceIp": "$context.identity.sourceIp",
  "headers": {
#foreach($name in $input.params().header.keySet())
    "$name": "$util.escapeJavaScript($input.params().header.get($name))"#if($foreach.hasNext),#end
#end
  }
}`

/** A typical response template: reshapes the backend's JSON, one object per item. */
export const RESPONSE_TEMPLATE = `#set($body = $input.path('$'))
{
  "message": "$body.message",
  "version": $body.version,
  "items": [
#foreach($item in $body.items)
    { "value": $item, "stage": "$context.stage" }#if($foreach.hasNext),#end
#end
  ]
}`

export const FUNCTION_NAME = 'bench'
const FUNCTION_URI = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:${FUNCTION_NAME}/invocations`

/** The compiled bundle's entry point (`npm run build`, scripts/build.ts). */
export const DIST_MAIN = fileURLToPath(new URL('../../dist/tollgate.cjs', import.meta.url))

/** Which entry point the bench starts: the compiled build unless `--from-source`. */
export const entryPoint = { path: DIST_MAIN }

/**
 * `tollgate serve` on a port and data directory, account limits raised so they never refuse;
 * `options.entry` starts another build's `tollgate.cjs` than `entryPoint`'s.
 */
export async function startTollgate(
  cpu: string | undefined,
  dataDir: string,
  options: { port?: number; accessLogFile?: string; entry?: string } = {},
): Promise<{ url: string; since: number; process: ReturnType<typeof startProcess> }> {
  const port = options.port ?? (await freePort())
  mkdirSync(dataDir, { recursive: true })
  // Settings come from the flags alone, whatever the caller's environment says.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TOLLGATE_')))
  const since = performance.now()
  const server = startProcess(
    'tollgate',
    process.execPath,
    [
      options.entry ?? entryPoint.path,
      'serve',
      ...['--port', String(port), '--data-dir', dataDir, '--log-level', 'warn'],
      ...['--account-rate-limit', '1000000', '--account-burst-limit', '1000000'],
      ...(options.accessLogFile ? ['--access-log-file', options.accessLogFile] : []),
    ],
    { cpu, env },
  )
  return { url: `http://127.0.0.1:${port}`, since, process: server }
}

/** Starts Tollgate and waits for `/_tollgate/health`, or for `firstUrl` if given (timed). */
export async function startTollgateAndWait(
  cpu: string | undefined,
  dataDir: string,
  options: {
    port?: number
    accessLogFile?: string
    entry?: string
    firstUrl?: (base: string) => string
  } = {},
): Promise<Started> {
  const started = await startTollgate(cpu, dataDir, options)
  const url = options.firstUrl?.(started.url) ?? `${started.url}/_tollgate/health`
  const startupMs = await firstSuccess(url, {
    since: started.since,
    timeoutMs: 30_000,
    process: started.process,
  })
  return { process: started.process, url: started.url, startupMs }
}

async function addResource(base: string, apiId: string, parentId: string, pathPart: string): Promise<string> {
  return String((await call(base, 'POST', `/restapis/${apiId}/resources/${parentId}`, { pathPart }))['id'])
}

async function createApi(
  base: string,
  name: string,
  endpointType = 'EDGE',
): Promise<{ apiId: string; rootId: string }> {
  const api = await call(base, 'POST', '/restapis', {
    name,
    endpointConfiguration: { types: [endpointType] },
  })
  return { apiId: String(api['id']), rootId: String(api['rootResourceId']) }
}

/** `{proxy+}` ANY, HTTP_PROXY to the backend named by stage variable `backendHost`. */
async function putProxyRoute(base: string, apiId: string, rootId: string): Promise<void> {
  const proxy = `/restapis/${apiId}/resources/${await addResource(base, apiId, rootId, '{proxy+}')}/methods/ANY`
  await call(base, 'PUT', proxy, {
    authorizationType: 'NONE',
    requestParameters: { 'method.request.path.proxy': true },
  })
  await call(base, 'PUT', `${proxy}/integration`, {
    type: 'HTTP_PROXY',
    httpMethod: 'ANY',
    uri: 'http://${stageVariables.backendHost}/{proxy}',
    requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
  })
}

async function logAccess(base: string, apiId: string, stage: string): Promise<void> {
  await call(base, 'PATCH', `/restapis/${apiId}/stages/${stage}`, {
    patchOperations: [{ op: 'replace', path: '/accessLogSettings/format', value: ACCESS_LOG_FORMAT }],
  })
}

/** `bench-regional`: the main API's HTTP_PROXY route on a REGIONAL API; returns its id. */
export async function configureRegionalApi(base: string, backendPort: number): Promise<string> {
  const { apiId, rootId } = await createApi(base, 'bench-regional', 'REGIONAL')
  await putProxyRoute(base, apiId, rootId)
  await call(base, 'POST', `/restapis/${apiId}/deployments`, {
    stageName: 'live',
    variables: { backendHost: `127.0.0.1:${backendPort}` },
  })
  await logAccess(base, apiId, 'live')
  return apiId
}

/** The main API with its two stages; returns its id. */
export async function configureMainApi(base: string, backendPort: number): Promise<string> {
  const { apiId, rootId } = await createApi(base, 'bench-main')
  const methodPath = (resourceId: string, httpMethod: string): string =>
    `/restapis/${apiId}/resources/${resourceId}/methods/${httpMethod}`

  await putProxyRoute(base, apiId, rootId)

  const templates = methodPath(await addResource(base, apiId, rootId, 'templates'), 'GET')
  await call(base, 'PUT', templates, { authorizationType: 'NONE' })
  // The mapped body goes to the backend in a POST, as a typical non-proxy integration sends it (a
  // GET with a body would also make the HTTP client close the connection after each request).
  await call(base, 'PUT', `${templates}/integration`, {
    type: 'HTTP',
    httpMethod: 'POST',
    uri: 'http://${stageVariables.backendHost}/hello',
    passthroughBehavior: 'WHEN_NO_TEMPLATES',
    requestTemplates: { 'application/json': REQUEST_TEMPLATE },
  })
  await call(base, 'PUT', `${templates}/responses/200`, {})
  await call(base, 'PUT', `${templates}/integration/responses/200`, {
    selectionPattern: '',
    responseTemplates: { 'application/json': RESPONSE_TEMPLATE },
  })

  const get = methodPath(await addResource(base, apiId, rootId, 'get'), 'GET')
  await call(base, 'PUT', get, { authorizationType: 'NONE' })
  await call(base, 'PUT', `${get}/integration`, {
    type: 'HTTP_PROXY',
    httpMethod: 'GET',
    uri: 'http://${stageVariables.backendHost}/hello',
  })

  const lambda = methodPath(await addResource(base, apiId, rootId, 'lambda'), 'ANY')
  await call(base, 'PUT', lambda, { authorizationType: 'NONE' })
  await call(base, 'PUT', `${lambda}/integration`, {
    type: 'AWS_PROXY',
    httpMethod: 'POST',
    uri: FUNCTION_URI,
  })

  const variables = { backendHost: `127.0.0.1:${backendPort}` }
  const deployment = await call(base, 'POST', `/restapis/${apiId}/deployments`, {
    stageName: 'live',
    variables,
  })
  await call(base, 'POST', `/restapis/${apiId}/stages`, {
    stageName: 'cached',
    deploymentId: deployment['id'],
    variables,
    cacheClusterEnabled: true,
    cacheClusterSize: '0.5',
  })
  for (const stage of ['live', 'cached']) await logAccess(base, apiId, stage)
  return apiId
}

/** Function `bench` (nodejs20.x, the trivial handler, 30 s timeout) in Tollgate's Lambda service. */
export async function createFunction(base: string): Promise<void> {
  await call(base, 'POST', '/2015-03-31/functions', {
    FunctionName: FUNCTION_NAME,
    Runtime: 'nodejs20.x',
    Role: 'arn:aws:iam::000000000000:role/bench',
    Handler: 'index.handler',
    // Not AWS's 3 s: while ~50 environments start at once on the one server CPU, the first requests
    // wait seconds for theirs, and a timeout would dispose of it and start another (the handler itself
    // answers in microseconds; the measured runs are warm).
    Timeout: 30,
    Code: { ZipFile: Buffer.from(zipSync({ 'index.js': strToU8(LAMBDA_HANDLER) })).toString('base64') },
  })
}

/** `bench-small`: root, `/mock`, `/keyed` (API key + usage plan); returns its id and the key. */
export async function configureSmallApi(base: string): Promise<{ apiId: string; key: string }> {
  const { apiId, rootId } = await createApi(base, 'bench-small')
  await putMockGet(base, apiId, await addResource(base, apiId, rootId, 'mock'))
  await putMockGet(base, apiId, await addResource(base, apiId, rootId, 'keyed'), { apiKeyRequired: true })
  await call(base, 'POST', `/restapis/${apiId}/deployments`, { stageName: 'v1' })
  return { apiId, key: await addUnlimitedPlanKey(base, apiId, 'v1') }
}

const mockOperation = (body: string) => ({
  responses: { '200': { description: 'OK' } },
  'x-amazon-apigateway-integration': {
    type: 'mock',
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
    responses: { default: { statusCode: '200', responseTemplates: { 'application/json': body } } },
  },
})

/**
 * An OpenAPI document with exactly `resources` resources (the root included), a MOCK GET on each
 * path: `/mock` (answering `{"ok": true}`) first, then `/s{i}`, `/s{i}/items`, `/s{i}/items/{id}`
 * for i = 0, 1, ... until the count is reached.
 */
export function openApiWithResources(title: string, resources: number): Record<string, unknown> {
  const paths: Record<string, unknown> = { '/mock': { get: mockOperation('{"ok": true}') } }
  const body = '{"ok": true, "resource": "$context.resourcePath"}'
  for (let i = 0; Object.keys(paths).length < resources - 1; i++) {
    for (const path of [`/s${i}`, `/s${i}/items`, `/s${i}/items/{id}`]) {
      if (Object.keys(paths).length < resources - 1) paths[path] = { get: mockOperation(body) }
    }
  }
  return { openapi: '3.0.1', info: { title, version: '1' }, paths }
}

/** Imports an OpenAPI document (ImportRestApi) and deploys it to `stage`; returns the API id. */
export async function importAndDeploy(base: string, doc: unknown, stage: string): Promise<string> {
  const response = await fetch(`${base}/restapis?mode=import`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(doc),
    signal: AbortSignal.timeout(60_000),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`ImportRestApi: ${response.status} ${text.slice(0, 500)}`)
  const apiId = String((JSON.parse(text) as Record<string, unknown>)['id'])
  await call(base, 'POST', `/restapis/${apiId}/deployments`, { stageName: stage })
  return apiId
}

/** The invoke URL of a path on a stage. */
export const invokeUrl = (base: string, apiId: string, stage: string, path: string): string =>
  `${base}/_aws/execute-api/${apiId}/${stage}${path}`
