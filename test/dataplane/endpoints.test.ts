import {
  CreateDeploymentCommand,
  CreateRestApiCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  UpdateRestApiCommand,
} from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deploy, httpRequest, putMockMethod } from '../support/apis.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { createFunction, lambdaClient } from '../support/lambda.js'
import { freePort } from '../support/process.js'

// Endpoint types (AWS docs "api-gateway-api-endpoint-types", "apigateway-private-apis"): a PRIVATE
// API answers only through a VPC endpoint listener, as its resource policy allows; REGIONAL and
// EDGE APIs answer on every listener; EDGE requests carry CloudFront's headers.

const VPCE = 'vpce-0a1b2c3d4e'
let tg: TestGateway
let endpointPort: number
let closedPort: number
beforeAll(async () => {
  endpointPort = await freePort()
  closedPort = await freePort()
  tg = await startTestGateway({
    vpcEndpoints: [
      {
        id: VPCE,
        host: '127.0.0.1',
        port: endpointPort,
        vpcId: 'vpc-11112222',
        allowedCidrs: ['127.0.0.0/8', '::1/128'],
      },
      // A security group that admits only 10.0.0.0/8: local clients are dropped.
      { id: 'vpce-0ffff', host: '127.0.0.1', port: closedPort, allowedCidrs: ['10.0.0.0/8'] },
    ],
  })
})
afterAll(() => tg.close())

const TEMPLATE = '{"vpce": "$context.identity.vpceId", "vpc": "$context.identity.vpcId"}'

async function api(type: 'PRIVATE' | 'REGIONAL' | 'EDGE', policy?: object): Promise<string> {
  const created = await tg.client.send(
    new CreateRestApiCommand({
      name: type.toLowerCase(),
      endpointConfiguration: { types: [type] },
      ...(policy ? { policy: JSON.stringify(policy) } : {}),
    }),
  )
  await putMockMethod(tg.client, created.id!, created.rootResourceId!, 'GET', TEMPLATE)
  return created.id!
}

const onlyFrom = (vpce: string) => ({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
    {
      Effect: 'Deny',
      Principal: '*',
      Action: 'execute-api:Invoke',
      Resource: 'execute-api:/*',
      Condition: { StringNotEquals: { 'aws:SourceVpce': vpce } },
    },
  ],
})

/** A GET on the VPC endpoint listener, with the Host and headers given. */
async function viaEndpoint(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown }> {
  const response = await httpRequest(`http://127.0.0.1:${endpointPort}`, { path, headers })
  return { status: response.status, json: JSON.parse(response.body.toString() || 'null') as unknown }
}

describe('PRIVATE APIs', () => {
  it('refuses to deploy without a resource policy, as AWS does', async () => {
    const id = await api('PRIVATE')
    await expect(
      tg.client.send(new CreateDeploymentCommand({ restApiId: id, stageName: 'prod' })),
    ).rejects.toMatchObject({
      name: 'BadRequestException',
      message: "Private REST API doesn't have a resource policy attached to it",
    })
  })

  it('answers only through the VPC endpoint, in all three address forms, with $context.identity.vpceId', async () => {
    const id = await api('PRIVATE', onlyFrom(VPCE))
    await deploy(tg.client, id, 'prod')
    const publicAnswer = await fetch(`${tg.url}/_aws/execute-api/${id}/prod/`)
    expect(publicAnswer.status).toBe(403)
    expect(await publicAnswer.json()).toEqual({ message: 'Forbidden' })
    const expected = { status: 200, json: { vpce: VPCE, vpc: 'vpc-11112222' } }
    expect(await viaEndpoint(`/_aws/execute-api/${id}/prod/`)).toEqual(expected)
    expect(
      await viaEndpoint('/prod/', { Host: `${id}-${VPCE}.execute-api.us-east-1.amazonaws.com` }),
    ).toEqual(expected)
    expect(await viaEndpoint('/prod/', { 'x-apigw-api-id': id })).toEqual(expected)
  })

  it('applies the resource policy with aws:SourceVpce', async () => {
    const id = await api('PRIVATE', onlyFrom('vpce-someoneelse'))
    await deploy(tg.client, id, 'prod')
    const denied = await viaEndpoint(`/_aws/execute-api/${id}/prod/`)
    expect(denied.status).toBe(403)
    expect((denied.json as { Message: string }).Message).toMatch(/with an explicit deny$/)
  })

  it('moves an API between listeners when its endpoint type changes, without a deployment', async () => {
    const allowAll = { Version: '2012-10-17', Statement: [onlyFrom(VPCE).Statement[0]] }
    const id = await api('REGIONAL', allowAll)
    await deploy(tg.client, id, 'prod')
    expect((await fetch(`${tg.url}/_aws/execute-api/${id}/prod/`)).status).toBe(200)
    await tg.client.send(
      new UpdateRestApiCommand({
        restApiId: id,
        patchOperations: [{ op: 'replace', path: '/endpointConfiguration/types/REGIONAL', value: 'PRIVATE' }],
      }),
    )
    expect((await fetch(`${tg.url}/_aws/execute-api/${id}/prod/`)).status).toBe(403)
    expect((await viaEndpoint(`/_aws/execute-api/${id}/prod/`)).status).toBe(200)
  })

  it("drops connections from addresses outside the endpoint's allowed CIDRs", async () => {
    const id = await api('REGIONAL')
    await deploy(tg.client, id, 'prod')
    await expect(
      httpRequest(`http://127.0.0.1:${closedPort}`, { path: `/_aws/execute-api/${id}/prod/` }),
    ).rejects.toThrow()
  })

  it('serves REGIONAL APIs on both listeners', async () => {
    const id = await api('REGIONAL')
    await deploy(tg.client, id, 'prod')
    expect((await fetch(`${tg.url}/_aws/execute-api/${id}/prod/`)).status).toBe(200)
    expect((await viaEndpoint(`/_aws/execute-api/${id}/prod/`)).status).toBe(200)
  })
})

describe('EDGE APIs', () => {
  it("give the Lambda proxy event CloudFront's headers", async () => {
    const lambda = lambdaClient(tg.url)
    await createFunction(lambda, 'edge-echo', {
      'index.js':
        'exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event.headers) })',
    })
    lambda.destroy()
    const created = await tg.client.send(
      new CreateRestApiCommand({ name: 'edge', endpointConfiguration: { types: ['EDGE'] } }),
    )
    await tg.client.send(
      new PutMethodCommand({
        restApiId: created.id,
        resourceId: created.rootResourceId,
        httpMethod: 'GET',
        authorizationType: 'NONE',
      }),
    )
    await tg.client.send(
      new PutIntegrationCommand({
        restApiId: created.id,
        resourceId: created.rootResourceId,
        httpMethod: 'GET',
        type: 'AWS_PROXY',
        integrationHttpMethod: 'POST',
        uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:edge-echo/invocations',
      }),
    )
    await deploy(tg.client, created.id!, 'prod')
    const response = await fetch(`${tg.url}/_aws/execute-api/${created.id!}/prod/`, {
      headers: { 'User-Agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148' },
    })
    const headers = (await response.json()) as Record<string, string>
    expect(headers).toMatchObject({
      'CloudFront-Forwarded-Proto': 'http',
      'CloudFront-Is-Mobile-Viewer': 'true',
      'CloudFront-Is-Desktop-Viewer': 'false',
      'CloudFront-Is-Tablet-Viewer': 'false',
      'CloudFront-Is-SmartTV-Viewer': 'false',
      'CloudFront-Viewer-Country': 'US',
      'X-Forwarded-For': '127.0.0.1',
      'X-Forwarded-Port': '80',
      'X-Forwarded-Proto': 'http',
    })
    expect(headers['Via']).toMatch(/^1\.1 [0-9a-f]{32}\.cloudfront\.net \(CloudFront\)$/)
    expect(headers['X-Amz-Cf-Id']).toMatch(/^[A-Za-z0-9_-]{56}$/)
    // A chain sent on two lines (a client's and a front proxy's) is kept whole, then extended.
    const chained = await httpRequest(tg.url, {
      path: `/_aws/execute-api/${created.id!}/prod/`,
      headers: { 'X-Forwarded-For': ['203.0.113.7', '198.51.100.2'] },
    })
    expect(JSON.parse(chained.body.toString())).toMatchObject({
      'X-Forwarded-For': '203.0.113.7, 198.51.100.2, 127.0.0.1',
    })
  })
})
