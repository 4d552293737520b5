import {
  CreateApiKeyCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
} from '@aws-sdk/client-api-gateway'
import {
  createApi,
  createPath,
  deploy,
  putMethodWithIntegration,
  putMockMethod,
  requireApiKey,
} from './apis.js'
import { sdkClient } from './gateway.js'
import { createFunction, lambdaClient } from './lambda.js'
import type { LoadTarget } from './load.js'

/** What the backend behind the `proxy` target must answer to `GET /hello`. */
export const BACKEND_HELLO = '{"from":"backend"}'

/**
 * Creates and deploys (stage `prod`) one API with a method per integration kind the load tests
 * hold: `mock` (MOCK), `proxy` (HTTP_PROXY to `{backendUrl}/hello`, which must answer
 * {@link BACKEND_HELLO}), `lambda` (AWS_PROXY to a trivial Node.js function in the gateway's
 * Lambda runtime) and `keyed` (a MOCK requiring an API key of a usage plan whose throttle and
 * quota are far above the load). Returns one {@link LoadTarget} per method, by name.
 */
export async function createLoadApi(
  gatewayUrl: string,
  backendUrl: string,
): Promise<Record<'mock' | 'proxy' | 'lambda' | 'keyed', LoadTarget>> {
  const client = sdkClient(gatewayUrl)
  const lambda = lambdaClient(gatewayUrl)
  try {
    await createFunction(lambda, 'hello', {
      'index.js':
        'exports.handler = async () => ({ statusCode: 200, headers: { "content-type": "application/json" }, body: \'{"from":"lambda"}\' })',
    })
    const { apiId, rootId } = await createApi(client, 'load')
    const mock = await createPath(client, apiId, rootId, 'mock')
    await putMockMethod(client, apiId, mock, 'GET', '{"from":"mock"}')
    const proxy = await createPath(client, apiId, rootId, 'proxy')
    await putMethodWithIntegration(client, apiId, proxy, 'GET', {
      type: 'HTTP_PROXY',
      integrationHttpMethod: 'GET',
      uri: `${backendUrl}/hello`,
    })
    const fn = await createPath(client, apiId, rootId, 'lambda')
    await putMethodWithIntegration(client, apiId, fn, 'GET', {
      type: 'AWS_PROXY',
      integrationHttpMethod: 'POST',
      uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:hello/invocations',
    })
    const keyed = await createPath(client, apiId, rootId, 'keyed')
    await putMockMethod(client, apiId, keyed, 'GET', '{"from":"keyed"}')
    await requireApiKey(client, apiId, keyed, 'GET')
    await deploy(client, apiId, 'prod')
    const plan = await client.send(
      new CreateUsagePlanCommand({
        name: 'load',
        throttle: { rateLimit: 10_000, burstLimit: 5_000 },
        quota: { limit: 1_000_000_000, period: 'DAY' },
        apiStages: [{ apiId, stage: 'prod' }],
      }),
    )
    const key = await client.send(new CreateApiKeyCommand({ name: 'load', enabled: true }))
    await client.send(
      new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'API_KEY' }),
    )
    const path = (name: string): string => `/_aws/execute-api/${apiId}/prod/${name}`
    return {
      mock: { name: 'MOCK', path: path('mock'), expectBody: '{"from":"mock"}' },
      proxy: { name: 'HTTP_PROXY', path: path('proxy'), expectBody: BACKEND_HELLO },
      lambda: { name: 'AWS_PROXY', path: path('lambda'), expectBody: '{"from":"lambda"}' },
      keyed: {
        name: 'usage plan (API key)',
        path: path('keyed'),
        headers: { 'x-api-key': key.value ?? '' },
        expectBody: '{"from":"keyed"}',
      },
    }
  } finally {
    client.destroy()
    lambda.destroy()
  }
}
