import {
  CreateBasePathMappingCommand,
  CreateDomainNameCommand,
  DeleteBasePathMappingCommand,
  GetBasePathMappingsCommand,
  GetDomainNameCommand,
} from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, createPath, deploy, httpRequest, putMockMethod } from '../support/apis.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'

// Custom domain names (AWS docs "how-to-custom-domains", "rest-api-mappings"): requests routed by
// Host and base path to an API and stage; `(none)`, multi-level base paths on REGIONAL TLS 1.2
// domains only; $context.domainName and domainPrefix set.

let tg: TestGateway
const apis: Record<string, string> = {}
beforeAll(async () => {
  tg = await startTestGateway()
  for (const name of ['a', 'b']) {
    const { apiId, rootId } = await createApi(tg.client, name)
    const items = await createPath(tg.client, apiId, rootId, 'items')
    await putMockMethod(
      tg.client,
      apiId,
      items,
      'GET',
      `{"api": "${name}", "domain": "$context.domainName", "prefix": "$context.domainPrefix", "stage": "$context.stage", "resource": "$context.resourcePath"}`,
    )
    await deploy(tg.client, apiId, 'prod')
    await deploy(tg.client, apiId, 'dev')
    apis[name] = apiId
  }
})
afterAll(() => tg.close())

async function viaHost(host: string, path: string): Promise<{ status: number; json: unknown }> {
  const response = await httpRequest(tg.url, { path, headers: { Host: host } })
  return { status: response.status, json: JSON.parse(response.body.toString() || 'null') as unknown }
}

describe('custom domain names', () => {
  it('routes by Host and the longest base path, with (none) and multi-level paths', async () => {
    const domain = await tg.client.send(
      new CreateDomainNameCommand({
        domainName: 'api.example.com',
        endpointConfiguration: { types: ['REGIONAL'] },
        securityPolicy: 'TLS_1_2',
        regionalCertificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/abc',
      }),
    )
    expect(domain).toMatchObject({
      domainName: 'api.example.com',
      domainNameStatus: 'AVAILABLE',
      securityPolicy: 'TLS_1_2',
    })
    expect(domain.regionalDomainName).toMatch(/^d-[0-9a-f]{10}\.execute-api\.us-east-1\.amazonaws\.com$/)
    for (const [basePath, api, stage] of [
      [undefined, 'a', 'prod'],
      ['v2', 'b', 'prod'],
      ['v1/orders', 'b', 'dev'],
    ] as const) {
      await tg.client.send(
        new CreateBasePathMappingCommand({
          domainName: 'api.example.com',
          restApiId: apis[api],
          stage,
          ...(basePath ? { basePath } : {}),
        }),
      )
    }
    expect(await viaHost('api.example.com', '/items')).toEqual({
      status: 200,
      json: { api: 'a', domain: 'api.example.com', prefix: 'api', stage: 'prod', resource: '/items' },
    })
    expect((await viaHost('api.example.com:443', '/v2/items')).json).toMatchObject({
      api: 'b',
      stage: 'prod',
    })
    expect((await viaHost('API.EXAMPLE.COM', '/v1/orders/items')).json).toMatchObject({
      api: 'b',
      stage: 'dev',
    })
    const mappings = await tg.client.send(new GetBasePathMappingsCommand({ domainName: 'api.example.com' }))
    expect(mappings.items!.map((m) => m.basePath).sort()).toEqual(['(none)', 'v1/orders', 'v2'])
    await tg.client.send(new DeleteBasePathMappingCommand({ domainName: 'api.example.com', basePath: 'v2' }))
    // Without v2, the (none) mapping takes the path: API a has no /v2/items.
    expect((await viaHost('api.example.com', '/v2/items')).status).toBe(403)
  })

  it('takes the stage from the path when a mapping has none, and refuses what AWS refuses', async () => {
    await tg.client.send(
      new CreateDomainNameCommand({
        domainName: 'edge.example.com',
        certificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/e',
      }),
    )
    expect(
      (await tg.client.send(new GetDomainNameCommand({ domainName: 'edge.example.com' })))
        .endpointConfiguration?.types,
    ).toEqual(['EDGE'])
    await tg.client.send(
      new CreateBasePathMappingCommand({
        domainName: 'edge.example.com',
        basePath: 'a',
        restApiId: apis['a'],
      }),
    )
    expect((await viaHost('edge.example.com', '/a/dev/items')).json).toMatchObject({ api: 'a', stage: 'dev' })
    await expect(
      tg.client.send(
        new CreateBasePathMappingCommand({
          domainName: 'edge.example.com',
          basePath: 'x/y',
          restApiId: apis['a'],
        }),
      ),
    ).rejects.toMatchObject({ name: 'BadRequestException' })
    await expect(
      tg.client.send(
        new CreateBasePathMappingCommand({
          domainName: 'edge.example.com',
          basePath: 'a',
          restApiId: apis['b'],
        }),
      ),
    ).rejects.toMatchObject({ name: 'ConflictException' })
    await expect(
      tg.client.send(
        new CreateBasePathMappingCommand({
          domainName: 'edge.example.com',
          basePath: 'z',
          restApiId: 'nope',
        }),
      ),
    ).rejects.toMatchObject({ name: 'BadRequestException', message: 'Invalid REST API identifier specified' })
    await expect(
      tg.client.send(new GetDomainNameCommand({ domainName: 'missing.example.com' })),
    ).rejects.toMatchObject({
      name: 'NotFoundException',
    })
    await expect(
      tg.client.send(new CreateDomainNameCommand({ domainName: 'edge.example.com' })),
    ).rejects.toMatchObject({
      name: 'ConflictException',
    })
  })
})
