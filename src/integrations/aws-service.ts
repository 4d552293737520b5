import type { InvocationContext, IntegrationRequest, EndpointResponse } from '../dataplane/context.js'
import { apiConfigurationError } from '../dataplane/errors/gateway-error.js'
import type { HeaderEntry } from '../dataplane/request.js'
import type { DataPlaneDeps } from '../dataplane/stage.js'
import { DEFAULT_TIMEOUT_MS, requestTarget, sendRequest } from './http.js'

/**
 * AWS service integrations (type AWS, any service but Lambda): the integration URI names the
 * service and the call, API Gateway builds the request from the integration request (parameter
 * mappings, request template) and signs it with SigV4 (AWS docs "integration-request-basic-setup",
 * "Integration.uri"):
 *
 * - `arn:aws:apigateway:{region}:{subdomain.}{service}:action/{Action}[&{params}]`: the Query
 *   protocol (`?Action=...`) for Query services (SQS, SNS, ...), or JSON with
 *   `X-Amz-Target: {prefix}.{Action}` for JSON services (Step Functions, DynamoDB, Kinesis,
 *   EventBridge, CloudWatch Logs);
 * - `arn:aws:apigateway:{region}:{subdomain.}{service}:path/{path}`: the integration's HTTP method
 *   on that path (S3 objects, SQS queue URLs).
 */
export interface ServiceTarget {
  region: string
  service: string
  subdomain?: string
  kind: 'action' | 'path'
  /** `action/` only. */
  action?: string
  /** The path (with its leading `/`) and the query, both as they go on the wire. */
  path: string
  query: string
}

/** Parses an integration URI (stage variables and path parameters already filled in). */
export function parseServiceUri(uri: string): ServiceTarget | undefined {
  const match = /^arn:aws[\w-]*:apigateway:([a-z0-9-]+):([A-Za-z0-9.-]+):(action|path)\/(.*)$/.exec(uri)
  if (!match) return undefined
  const [, region = '', host = '', kind = 'path', rest = ''] = match
  const dot = host.lastIndexOf('.')
  const service = host.slice(dot + 1)
  const subdomain = dot === -1 ? undefined : host.slice(0, dot)
  const [beforeQuery = '', mappedQuery = ''] = rest.split('?')
  if (kind === 'action') {
    const [action = '', ...params] = beforeQuery.split('&')
    const query = [...params, mappedQuery].filter(Boolean).join('&')
    return { region, service, ...(subdomain ? { subdomain } : {}), kind: 'action', action, path: '/', query }
  }
  return {
    region,
    service,
    ...(subdomain ? { subdomain } : {}),
    kind: 'path',
    path: `/${beforeQuery}`,
    query: mappedQuery,
  }
}

/** JSON-protocol services: the X-Amz-Target prefix and the JSON version of their API models. */
const JSON_SERVICES: Readonly<Record<string, [prefix: string, version: string]>> = {
  states: ['AWSStepFunctions', '1.0'],
  dynamodb: ['DynamoDB_20120810', '1.0'],
  kinesis: ['Kinesis_20131202', '1.1'],
  events: ['AWSEvents', '1.1'],
  logs: ['Logs_20140328', '1.1'],
  firehose: ['Firehose_20150804', '1.1'],
}

/** The endpoint: the configured override for the service, else the global one, else AWS's. */
function endpointOf(target: ServiceTarget, deps: DataPlaneDeps): URL {
  const override = deps.awsServiceEndpoints[target.service] ?? deps.awsEndpointUrl
  if (override) return new URL(override)
  const host = `${target.subdomain ? `${target.subdomain}.` : ''}${target.service}.${target.region}.amazonaws.com`
  return new URL(`https://${host}`)
}

/**
 * The credentials a call signs with: the caller's own key for `arn:aws:iam::*:user/*` (an AWS_IAM
 * method's caller), else Tollgate's AWS credentials (standing for the integration's role), else
 * the development key `test` / `test` that local AWS stand-ins accept.
 */
function credentialsFor(ctx: InvocationContext, deps: DataPlaneDeps, role: string | undefined) {
  if (role && /^arn:aws[\w-]*:iam::\*:user\/\*$/.test(role)) {
    const key = ctx.caller ? deps.credentials.lookup(ctx.caller.accessKey) : undefined
    if (!key) throw apiConfigurationError('aws.no_caller_credentials')
    return { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey }
  }
  return deps.awsCredentials
}

/** Builds, signs and sends the service call; the answer goes through the integration responses. */
export async function invokeAwsService(
  req: IntegrationRequest,
  ctx: InvocationContext,
  deps: DataPlaneDeps,
): Promise<EndpointResponse> {
  const integration = ctx.match?.method.methodIntegration
  const target = parseServiceUri(req.url)
  if (!target) throw apiConfigurationError('aws.invalid_uri')
  const endpoint = endpointOf(target, deps)
  const headers = new Map<string, string>(req.headers.map(([n, v]) => [n.toLowerCase(), v]))
  let query = target.query
  let method = req.method
  if (target.kind === 'action') {
    const json = JSON_SERVICES[target.service]
    if (json) {
      headers.set('x-amz-target', headers.get('x-amz-target') ?? `${json[0]}.${target.action ?? ''}`)
      const type = headers.get('content-type')
      if (!type || type === 'application/json')
        headers.set('content-type', `application/x-amz-json-${json[1]}`)
    } else {
      query = [`Action=${encodeURIComponent(target.action ?? '')}`, query].filter(Boolean).join('&')
    }
  }
  if (method === 'ANY') method = 'POST'
  const basePath = endpoint.pathname.replace(/\/$/, '')
  // With an endpoint override an S3 bucket subdomain becomes the first path segment (path style).
  const bucketPath =
    target.service === 's3' && target.subdomain && !endpoint.hostname.endsWith('.amazonaws.com')
      ? `/${target.subdomain}`
      : ''
  const path = `${basePath}${bucketPath}${target.path}`
  headers.set('host', endpoint.host)
  headers.delete('content-length')
  const { Hash, SignatureV4 } = await signing()
  const signer = new SignatureV4({
    service: target.service,
    region: target.region,
    credentials: credentialsFor(ctx, deps, integration?.credentials),
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: target.service !== 's3',
  })
  const queryParams: Record<string, string | string[]> = {}
  for (const [key, value] of new URLSearchParams(query)) {
    const existing = queryParams[key]
    queryParams[key] =
      existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value]
  }
  const signed = await signer.sign({
    method,
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
    path,
    query: queryParams,
    headers: Object.fromEntries(headers),
    body: req.body,
  })
  const endpointTarget = requestTarget(`${endpoint.origin}${path}${query ? `?${query}` : ''}`)
  const outgoing: HeaderEntry[] = Object.entries(signed.headers).filter(([name]) => name !== 'host')
  return sendRequest(
    endpointTarget,
    method,
    outgoing,
    req.body,
    integration?.timeoutInMillis || DEFAULT_TIMEOUT_MS,
    await deps.backendTls.dispatcher(),
  )
}

/**
 * The SigV4 signer, loaded by the first AWS integration call rather than by every start: its
 * modules took ~5 ms of a ~300 ms start (docs/performance.md). Loaded once; later calls share the
 * settled promise (as `undici()` in backend-tls.ts).
 */
let signer:
  | Promise<{
      Hash: typeof import('@smithy/hash-node').Hash
      SignatureV4: typeof import('@smithy/signature-v4').SignatureV4
    }>
  | undefined
const signing = (): NonNullable<typeof signer> =>
  (signer ??= Promise.all([import('@smithy/hash-node'), import('@smithy/signature-v4')]).then(
    ([{ Hash }, { SignatureV4 }]) => ({ Hash, SignatureV4 }),
  ))
