import { GetStageCommand, GetUsagePlansCommand, GetApiKeysCommand } from '@aws-sdk/client-api-gateway'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyProject } from '../../src/project/apply.js'
import { loadProject, ProjectFileError } from '../../src/project/project-file.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { tempDir } from '../support/process.js'

// API keys, usage plans and throttling declared in tollgate.yaml, applied with the management API.

const PROJECT = `
apis:
  shop:
    definition:
      swagger: '2.0'
      info: { title: shop, version: '1' }
      securityDefinitions:
        api_key: { type: apiKey, name: x-api-key, in: header }
      paths:
        /items:
          get:
            security: [{ api_key: [] }]
            responses: { '200': { description: ok } }
            x-amazon-apigateway-integration:
              type: mock
              requestTemplates: { application/json: '{"statusCode": 200}' }
              responses: { default: { statusCode: '200', responseTemplates: { application/json: '{"items": []}' } } }
    stages:
      prod:
        throttling: { rateLimit: 100, burstLimit: 50 }
        methodThrottling:
          /items/GET: { rateLimit: 10, burstLimit: 5 }
apiKeys:
  alice:
    value: alice-key-0123456789abcdef
  bob: {}
usagePlans:
  basic:
    description: three a day
    quota: { limit: 3, period: DAY }
    throttle: { rateLimit: 20, burstLimit: 10 }
    apis:
      - api: shop
        stage: prod
        methodThrottling:
          /items/GET: { rateLimit: 2, burstLimit: 4 }
    keys: [alice, bob]
`

let tg: TestGateway
beforeAll(async () => {
  tg = await startTestGateway()
})
afterAll(() => tg.close())

function writeProject(text: string): string {
  const file = join(tempDir('tollgate-keys-project-'), 'tollgate.yaml')
  writeFileSync(file, text)
  return file
}

describe('project files: API keys, usage plans, throttling', () => {
  it('creates keys, plans and stage throttling, enforces them, and re-applies without duplicates or a reset quota', async () => {
    const file = writeProject(PROJECT)
    const first = await applyProject(tg.url, loadProject(file))
    expect(first.apiKeys['alice']).toBe('alice-key-0123456789abcdef')
    expect(first.apiKeys['bob']).toMatch(/^[A-Za-z0-9]{40}$/)
    const url = `${first.urls['shop']!['prod']!}items`
    const get = (key?: string) => fetch(url, { headers: key ? { 'x-api-key': key } : {} })

    expect((await get()).status).toBe(403)
    for (let i = 0; i < 3; i++) expect((await get(first.apiKeys['alice'])).status).toBe(200)
    const spent = await get(first.apiKeys['alice'])
    expect(spent.status).toBe(429)
    expect(await spent.json()).toEqual({ message: 'Limit Exceeded' })

    const stage = await tg.client.send(
      new GetStageCommand({ restApiId: first.apiIds['shop'], stageName: 'prod' }),
    )
    expect(stage.methodSettings?.['*/*']).toMatchObject({
      throttlingRateLimit: 100,
      throttlingBurstLimit: 50,
    })
    expect(stage.methodSettings?.['~1items/GET']).toMatchObject({
      throttlingRateLimit: 10,
      throttlingBurstLimit: 5,
    })

    const second = await applyProject(tg.url, loadProject(file))
    expect(second.apiKeys).toEqual(first.apiKeys)
    const plans = (await tg.client.send(new GetUsagePlansCommand({}))).items!.filter(
      (p) => p.name === 'basic',
    )
    expect(plans).toHaveLength(1)
    expect(plans[0]).toMatchObject({
      description: 'three a day',
      quota: { limit: 3, period: 'DAY', offset: 0 },
      throttle: { rateLimit: 20, burstLimit: 10 },
      apiStages: [
        {
          apiId: first.apiIds['shop'],
          stage: 'prod',
          throttle: { '/items/GET': { rateLimit: 2, burstLimit: 4 } },
        },
      ],
    })
    const keys = (await tg.client.send(new GetApiKeysCommand({}))).items!.map((k) => k.name)
    expect(keys.filter((n) => n === 'alice' || n === 'bob')).toHaveLength(2)
    // The plan kept its id, so its count carried over: alice is still refused, bob is not.
    expect((await get(second.apiKeys['alice'])).status).toBe(429)
    expect((await get(second.apiKeys['bob'])).status).toBe(200)
  })

  it('names the file, line and field of a plan that points at what the project does not declare', () => {
    const file = writeProject(PROJECT.replace('keys: [alice, bob]', 'keys: [alice, carol]'))
    expect(() => loadProject(file)).toThrow(ProjectFileError)
    expect(() => loadProject(file)).toThrow(
      /tollgate\.yaml:37: usagePlans\.basic\.keys\.1: no API key named carol in apiKeys/,
    )
    const badStage = writeProject(PROJECT.replace('        stage: prod', '        stage: dev'))
    expect(() => loadProject(badStage)).toThrow(
      /usagePlans\.basic\.apis\.0\.stage: API shop has no stage dev/,
    )
  })
})
