import {
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UpdateMethodCommand,
  type APIGatewayClient,
  type PutIntegrationCommandInput,
} from '@aws-sdk/client-api-gateway'
import { request } from 'node:http'

/** Creates an API and returns its id and root resource id. */
export async function createApi(
  client: APIGatewayClient,
  name = 'test-api',
): Promise<{ apiId: string; rootId: string }> {
  const api = await client.send(new CreateRestApiCommand({ name }))
  return { apiId: api.id!, rootId: api.rootResourceId! }
}

/** Creates the resources of a path under a parent (`a/{b}/c`), returning the last one's id. */
export async function createPath(
  client: APIGatewayClient,
  apiId: string,
  parentId: string,
  path: string,
): Promise<string> {
  let current = parentId
  for (const pathPart of path.split('/').filter(Boolean)) {
    const created = await client.send(
      new CreateResourceCommand({ restApiId: apiId, parentId: current, pathPart }),
    )
    current = created.id!
  }
  return current
}

/** A method with an integration (and, for non-proxy types, a default 200 response). */
export async function putMethodWithIntegration(
  client: APIGatewayClient,
  apiId: string,
  resourceId: string,
  httpMethod: string,
  integration: Omit<PutIntegrationCommandInput, 'restApiId' | 'resourceId' | 'httpMethod'>,
  options: {
    responseTemplates?: Record<string, string>
    responseParameters?: Record<string, string>
    requestParameters?: Record<string, boolean>
  } = {},
): Promise<void> {
  await client.send(
    new PutMethodCommand({
      restApiId: apiId,
      resourceId,
      httpMethod,
      authorizationType: 'NONE',
      ...(options.requestParameters ? { requestParameters: options.requestParameters } : {}),
    }),
  )
  await client.send(new PutIntegrationCommand({ restApiId: apiId, resourceId, httpMethod, ...integration }))
  if (integration.type === 'HTTP_PROXY' || integration.type === 'AWS_PROXY') return
  const responseParameters = options.responseParameters ?? {}
  await client.send(
    new PutMethodResponseCommand({
      restApiId: apiId,
      resourceId,
      httpMethod,
      statusCode: '200',
      responseParameters: Object.fromEntries(Object.keys(responseParameters).map((k) => [k, false])),
    }),
  )
  await setResponseTemplates(
    client,
    apiId,
    resourceId,
    httpMethod,
    options.responseTemplates,
    responseParameters,
  )
}

/** A MOCK method answering `status` with `responseTemplate` (application/json). */
export async function putMockMethod(
  client: APIGatewayClient,
  apiId: string,
  resourceId: string,
  httpMethod: string,
  /** The application/json response template, or the templates by content type. */
  responseTemplate: string | Record<string, string>,
  status = 200,
): Promise<void> {
  await putMethodWithIntegration(
    client,
    apiId,
    resourceId,
    httpMethod,
    { type: 'MOCK', requestTemplates: { 'application/json': `{"statusCode": ${status}}` } },
    {
      responseTemplates:
        typeof responseTemplate === 'string' ? { 'application/json': responseTemplate } : responseTemplate,
    },
  )
}

/** Puts (or replaces) the default (200) integration response of a method. */
export async function setResponseTemplates(
  client: APIGatewayClient,
  apiId: string,
  resourceId: string,
  httpMethod: string,
  responseTemplates?: Record<string, string>,
  responseParameters?: Record<string, string>,
): Promise<void> {
  await client.send(
    new PutIntegrationResponseCommand({
      restApiId: apiId,
      resourceId,
      httpMethod,
      statusCode: '200',
      selectionPattern: '',
      ...(responseTemplates ? { responseTemplates } : {}),
      ...(responseParameters ? { responseParameters } : {}),
    }),
  )
}

/** Sets `apiKeyRequired` on a method. */
export async function requireApiKey(
  client: APIGatewayClient,
  apiId: string,
  resourceId: string,
  httpMethod: string,
): Promise<void> {
  await client.send(
    new UpdateMethodCommand({
      restApiId: apiId,
      resourceId,
      httpMethod,
      patchOperations: [{ op: 'replace', path: '/apiKeyRequired', value: 'true' }],
    }),
  )
}

/** Deploys the API to a stage and returns the deployment id. */
export async function deploy(
  client: APIGatewayClient,
  apiId: string,
  stageName: string,
  variables?: Record<string, string>,
): Promise<string> {
  const deployment = await client.send(
    new CreateDeploymentCommand({ restApiId: apiId, stageName, ...(variables ? { variables } : {}) }),
  )
  return deployment.id!
}

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  rawHeaders: string[]
  body: Buffer
}

/**
 * A raw HTTP request (node:http), for what fetch hides: a custom Host header, raw paths with
 * double slashes or encodings, repeated headers.
 */
export function httpRequest(
  url: string,
  options: {
    method?: string
    path: string
    headers?: Record<string, string | string[]>
    body?: Buffer | string
  } = {
    path: '/',
  },
): Promise<RawResponse> {
  const base = new URL(url)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks),
          }),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(options.body)
  })
}

/**
 * One `POST /{part}` method per request template, each an HTTP (non-proxy) integration to
 * `{backendUrl}/rendered`: the backend receives what the template rendered.
 */
export async function putRenderingMethods(
  client: APIGatewayClient,
  apiId: string,
  parentId: string,
  backendUrl: string,
  templates: readonly (readonly [part: string, template: string])[],
): Promise<void> {
  for (const [part, template] of templates) {
    const resource = await createPath(client, apiId, parentId, part)
    await putMethodWithIntegration(client, apiId, resource, 'POST', {
      type: 'HTTP',
      integrationHttpMethod: 'POST',
      uri: `${backendUrl}/rendered`,
      requestTemplates: { 'application/json': template },
    })
  }
}
