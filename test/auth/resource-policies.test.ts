import { CreateRestApiCommand, UpdateRestApiCommand } from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deploy, putMockMethod } from '../support/apis.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'

// Resource policies (AWS docs "apigateway-resource-policies", "apigateway-authorization-flow":
// without an authorizer the policy must allow; an explicit Deny wins; changes serve after the next
// deployment). Denials answer 403 with AWS's "User: anonymous is not authorized ..." Message.

let tg: TestGateway
beforeAll(async () => {
  tg = await startTestGateway({ accountId: '123456789012' })
})
afterAll(() => tg.close())

const allow = (condition?: object) => ({
  Effect: 'Allow',
  Principal: '*',
  Action: 'execute-api:Invoke',
  Resource: 'execute-api:/*',
  ...(condition ? { Condition: condition } : {}),
})

async function apiWithPolicy(statements: object[]): Promise<string> {
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: statements })
  const api = await tg.client.send(new CreateRestApiCommand({ name: 'guarded', policy }))
  await putMockMethod(tg.client, api.id!, api.rootResourceId!, 'GET', '{"ok": true}')
  await deploy(tg.client, api.id!, 'prod')
  return api.id!
}

const get = async (apiId: string) => {
  const response = await fetch(`${tg.url}/_aws/execute-api/${apiId}/prod/`)
  return {
    status: response.status,
    errorType: response.headers.get('x-amzn-errortype'),
    json: await response.json(),
  }
}

describe('resource policies', () => {
  it('serves a caller the policy allows and refuses the others, with AWS words', async () => {
    const open = await apiWithPolicy([allow({ IpAddress: { 'aws:SourceIp': ['127.0.0.0/8', '::1/128'] } })])
    expect((await get(open)).status).toBe(200)

    const elsewhere = await apiWithPolicy([allow({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } })])
    expect(await get(elsewhere)).toEqual({
      status: 403,
      errorType: 'AccessDeniedException',
      json: {
        Message: `User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********9012:${elsewhere}/prod/GET/`,
      },
    })

    const denied = await apiWithPolicy([
      allow(),
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 'execute-api:Invoke',
        Resource: 'execute-api:/*',
        Condition: { IpAddress: { 'aws:SourceIp': ['127.0.0.0/8', '::1/128'] } },
      },
    ])
    expect(await get(denied)).toMatchObject({
      status: 403,
      json: { Message: expect.stringMatching(/ with an explicit deny$/) as string },
    })
  })

  it('applies a changed policy only after the next deployment', async () => {
    const apiId = await apiWithPolicy([allow()])
    expect((await get(apiId)).status).toBe(200)
    await tg.client.send(
      new UpdateRestApiCommand({
        restApiId: apiId,
        patchOperations: [
          {
            op: 'replace',
            path: '/policy',
            value: JSON.stringify({ Version: '2012-10-17', Statement: [{ ...allow(), Effect: 'Deny' }] }),
          },
        ],
      }),
    )
    expect((await get(apiId)).status).toBe(200)
    await deploy(tg.client, apiId, 'prod')
    expect((await get(apiId)).status).toBe(403)
  })
})
