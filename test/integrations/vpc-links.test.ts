import {
  CreateVpcLinkCommand,
  GetVpcLinkCommand,
  PutIntegrationCommand,
  PutMethodCommand,
} from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, createPath, deploy } from '../support/apis.js'
import { startBackend, type TestBackend } from '../support/backend.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'

// VPC links (AWS docs "set-up-private-integration"): connectionType VPC_LINK with a connectionId
// (here from a stage variable) reaches the link's backends, balanced and health-checked as a
// network load balancer would; the integration URI's host stays the Host header.

const NLB = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/internal/50dc6c495c0c9188'
let tg: TestGateway
const backends: TestBackend[] = []
let apiId: string

beforeAll(async () => {
  for (const name of ['one', 'two']) {
    backends.push(
      await startBackend((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ backend: name, host: req.headers.host }))
      }),
    )
  }
  tg = await startTestGateway({
    vpcLinkTargets: { [NLB]: backends.map((b) => `127.0.0.1:${b.port}`) },
    vpcLinkHealthIntervalMs: 100,
  })
  const link = await tg.client.send(new CreateVpcLinkCommand({ name: 'internal', targetArns: [NLB] }))
  expect((await tg.client.send(new GetVpcLinkCommand({ vpcLinkId: link.id }))).status).toBe('AVAILABLE')
  const api = await createApi(tg.client)
  apiId = api.apiId
  const hello = await createPath(tg.client, apiId, api.rootId, 'hello')
  await tg.client.send(
    new PutMethodCommand({
      restApiId: apiId,
      resourceId: hello,
      httpMethod: 'GET',
      authorizationType: 'NONE',
    }),
  )
  await tg.client.send(
    new PutIntegrationCommand({
      restApiId: apiId,
      resourceId: hello,
      httpMethod: 'GET',
      type: 'HTTP_PROXY',
      integrationHttpMethod: 'GET',
      uri: 'http://internal.example.com/hello',
      connectionType: 'VPC_LINK',
      connectionId: '${stageVariables.vpcLinkId}',
    }),
  )
  await deploy(tg.client, apiId, 'prod', { vpcLinkId: link.id! })
  await deploy(tg.client, apiId, 'broken', { vpcLinkId: 'nolink' })
})
afterAll(async () => {
  await tg.close()
  await Promise.all(backends.map((b) => b.close().catch(() => undefined)))
})

const hello = async (stage = 'prod') => {
  const response = await fetch(`${tg.url}/_aws/execute-api/${apiId}/${stage}/hello`)
  return { status: response.status, json: (await response.json()) as { backend?: string; host?: string } }
}

describe('VPC links', () => {
  it('balances over the healthy backends and drops one that fails its health check', async () => {
    const seen = []
    for (let i = 0; i < 4; i++) seen.push((await hello()).json)
    expect(seen.map((s) => s.backend).sort()).toEqual(['one', 'one', 'two', 'two'])
    expect(seen.every((s) => s.host === 'internal.example.com')).toBe(true)
    await backends[1]!.close()
    await new Promise((r) => setTimeout(r, 400))
    const after = []
    for (let i = 0; i < 4; i++) after.push((await hello()).json.backend)
    expect(after).toEqual(['one', 'one', 'one', 'one'])
  })

  it('answers 500 for a link that does not exist', async () => {
    expect((await hello('broken')).status).toBe(500)
  })
})
