import { GetAuthorizersCommand } from '@aws-sdk/client-api-gateway'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyProject } from '../../src/project/apply.js'
import { loadProject } from '../../src/project/project-file.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { tempDir } from '../support/process.js'

// Authorizers, method authorization and a resource policy declared in tollgate.yaml.

const AUTHORIZER = `exports.handler = async (event) => {
  if (event.authorizationToken !== 'letmein') throw new Error('Unauthorized')
  return { principalId: 'friend', policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }] } }
}`

const PROJECT = `
functions:
  gatekeeper:
    code: ./gatekeeper
apis:
  vault:
    definition:
      openapi: 3.0.1
      info: { title: vault, version: '1' }
      paths:
        /secret:
          get:
            x-amazon-apigateway-integration:
              type: mock
              requestTemplates: { application/json: '{"statusCode": 200}' }
              responses: { default: { statusCode: '200', responseTemplates: { application/json: '{"who": "$context.authorizer.principalId"}' } } }
        /public:
          get:
            x-amazon-apigateway-integration:
              type: mock
              requestTemplates: { application/json: '{"statusCode": 200}' }
              responses: { default: { statusCode: '200', responseTemplates: { application/json: '{"open": true}' } } }
    authorizers:
      gate:
        type: TOKEN
        function: gatekeeper
        resultTtlInSeconds: 0
    methods:
      /secret/GET: { authorizer: gate }
    policy:
      Version: '2012-10-17'
      Statement:
        - { Effect: Allow, Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' }
        - { Effect: Deny, Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*/GET/public', Condition: { IpAddress: { 'aws:SourceIp': ['127.0.0.0/8', '::1/128'] } } }
    stages:
      prod: {}
`

let tg: TestGateway
let dir: string
beforeAll(async () => {
  tg = await startTestGateway()
  dir = tempDir('tollgate-auth-project-')
  mkdirSync(join(dir, 'gatekeeper'))
  writeFileSync(join(dir, 'gatekeeper', 'index.js'), AUTHORIZER)
  writeFileSync(join(dir, 'tollgate.yaml'), PROJECT)
})
afterAll(() => tg.close())

describe('project files: authorizers and resource policies', () => {
  it('creates the authorizer, guards the method, applies the policy, and re-applies without duplicates', async () => {
    for (let round = 0; round < 2; round++) {
      const result = await applyProject(tg.url, loadProject(join(dir, 'tollgate.yaml')))
      const url = result.urls['vault']!['prod']!
      const secret = (token?: string) =>
        fetch(`${url}secret`, { headers: token ? { Authorization: token } : {} })
      expect((await secret()).status).toBe(401)
      expect((await secret('wrong')).status).toBe(401)
      const ok = await secret('letmein')
      expect(ok.status).toBe(200)
      expect(await ok.json()).toEqual({ who: 'friend' })
      // The resource policy denies /public to local callers.
      expect((await fetch(`${url}public`)).status).toBe(403)
      const authorizers = await tg.client.send(
        new GetAuthorizersCommand({ restApiId: result.apiIds['vault'] }),
      )
      expect(authorizers.items!.map((a) => a.name)).toEqual(['gate'])
    }
  })

  it('names the method whose authorizer the API does not declare', () => {
    writeFileSync(join(dir, 'bad.yaml'), PROJECT.replace('{ authorizer: gate }', '{ authorizer: moat }'))
    expect(() => loadProject(join(dir, 'bad.yaml'))).toThrow(
      /apis\.vault\.methods\.\/secret\/GET\.authorizer: no authorizer named moat in apis\.vault\.authorizers/,
    )
  })
})
