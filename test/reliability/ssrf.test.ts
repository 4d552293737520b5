import {
  CreateDeploymentCommand,
  UpdateStageCommand,
  type APIGatewayClient,
} from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, createPath, deploy, httpRequest, putMethodWithIntegration } from '../support/apis.js'
import { startBackend, type TestBackend } from '../support/backend.js'
import { gatewayWithBackend } from '../support/gateway.js'

// An HTTP integration's request goes to the host its URI names (with the stage's variables), never
// to one a client picks (issue 16, "no SSRF"). Stage variables: API reference (CreateStage,
// CreateDeployment, Stage.variables) "the values must match [A-Za-z0-9-._~:/?#&=,]+", so the
// control plane refuses `@` (userinfo), `%`, spaces and backslashes; `/ ? # :` are allowed by AWS
// and only the API's owner sets them. Path parameters fill placeholders after the URI's authority
// only, and a value cannot leave its place in the path (see also path-escape.test.ts).

let elsewhere: TestBackend
beforeAll(async () => {
  elsewhere = await startBackend()
})
afterAll(() => elsewhere.close())

const expectBadRequest = async (attempt: Promise<unknown>) =>
  expect(attempt).rejects.toMatchObject({ name: 'BadRequestException' })

describe('stage variables in the control plane', () => {
  let apiId = ''
  const env = gatewayWithBackend(async (tg, backend) => {
    const api = await createApi(tg.client)
    apiId = api.apiId
    await putMethodWithIntegration(tg.client, apiId, api.rootId, 'GET', {
      type: 'HTTP_PROXY',
      integrationHttpMethod: 'GET',
      uri: `http://\${stageVariables.host}/root`,
    })
    await deploy(tg.client, apiId, 'prod', { host: `127.0.0.1:${backend.port}` })
  })
  const client = (): APIGatewayClient => env.tg.client

  for (const value of [
    `evil.example@127.0.0.1:1`,
    `127.0.0.1:1%2F`,
    `evil example`,
    `evil.example\\@127.0.0.1`,
    `127.0.0.1:1/{id}`,
    '',
  ]) {
    it(`refuses the value ${JSON.stringify(value)} in CreateDeployment, UpdateStage and canary overrides`, async () => {
      await expectBadRequest(
        client().send(
          new CreateDeploymentCommand({ restApiId: apiId, stageName: 'other', variables: { host: value } }),
        ),
      )
      await expectBadRequest(
        client().send(
          new UpdateStageCommand({
            restApiId: apiId,
            stageName: 'prod',
            patchOperations: [{ op: 'replace', path: '/variables/host', value }],
          }),
        ),
      )
      await expectBadRequest(
        client().send(
          new CreateDeploymentCommand({
            restApiId: apiId,
            stageName: 'prod',
            canarySettings: { percentTraffic: 10, stageVariableOverrides: { host: value } },
          }),
        ),
      )
    })
  }

  it('accepts the characters AWS allows, / ? # : & = , included', async () => {
    await client().send(
      new CreateDeploymentCommand({
        restApiId: apiId,
        stageName: 'allowed',
        variables: { host: 'a-b.c_d~e:8080/base?x=1&y=2,3#frag' },
      }),
    )
  })

  it('sends the stage to the host its variable names, and nowhere else', async () => {
    const response = await httpRequest(env.tg.url, { path: `/_aws/execute-api/${apiId}/prod/` })
    expect(response.status).toBe(200)
    expect(env.backend.received.at(-1)?.url).toBe('/root')
  })
})

describe('path parameters never pick the host', () => {
  let base = ''
  const env = gatewayWithBackend(async (tg, backend) => {
    const { apiId, rootId } = await createApi(tg.client)
    // A placeholder inside the URI's authority: never filled from a request.
    const hostParam = await createPath(tg.client, apiId, rootId, 'h/{host}')
    await putMethodWithIntegration(
      tg.client,
      apiId,
      hostParam,
      'GET',
      {
        type: 'HTTP_PROXY',
        integrationHttpMethod: 'GET',
        uri: 'http://{host}/x',
        requestParameters: { 'integration.request.path.host': 'method.request.path.host' },
      },
      { requestParameters: { 'method.request.path.host': true } },
    )
    // A stage variable for the host, a path parameter for the path.
    const item = await createPath(tg.client, apiId, rootId, 'items/{id}')
    await putMethodWithIntegration(tg.client, apiId, item, 'GET', {
      type: 'HTTP_PROXY',
      integrationHttpMethod: 'GET',
      uri: `http://\${stageVariables.host}/items/{id}`,
      requestParameters: { 'integration.request.path.id': 'method.request.path.id' },
    })
    // A query string value (decoded) mapped into the path.
    const query = await createPath(tg.client, apiId, rootId, 'q')
    await putMethodWithIntegration(
      tg.client,
      apiId,
      query,
      'GET',
      {
        type: 'HTTP',
        integrationHttpMethod: 'GET',
        uri: `http://\${stageVariables.host}/pets/{id}/x`,
        requestParameters: { 'integration.request.path.id': 'method.request.querystring.id' },
      },
      { requestParameters: { 'method.request.querystring.id': true } },
    )
    await deploy(tg.client, apiId, 'prod', { host: `127.0.0.1:${backend.port}` })
    base = `/_aws/execute-api/${apiId}/prod`
  })

  it('never fills a placeholder in the authority (http://{host}/x) from the request', async () => {
    const before = env.backend.received.length
    const away = elsewhere.received.length
    const response = await httpRequest(env.tg.url, { path: `${base}/h/127.0.0.1:${elsewhere.port}` })
    // `{host}` stays literal: the URI cannot be called, a configuration error AWS answers 500.
    expect(response.status).toBe(500)
    expect(elsewhere.received.length).toBe(away)
    expect(env.backend.received.length).toBe(before)
  })

  for (const id of ['@127.0.0.1:0', '127.0.0.1:1@x', 'a%2F%2Fevil.example', '%40evil.example']) {
    it(`keeps the path parameter ${id} in the path of the configured host`, async () => {
      const value = id.replace(':0', `:${elsewhere.port}`)
      const away = elsewhere.received.length
      const response = await httpRequest(env.tg.url, { path: `${base}/items/${value}` })
      expect(response.status).toBe(200)
      expect(env.backend.received.at(-1)?.url).toBe(`/items/${value}`)
      expect(elsewhere.received.length).toBe(away)
    })
  }

  for (const [query, sent] of [
    // `?` and `#` from a decoded query value would start the backend's query or fragment.
    ['x%3Fadmin%3D1%23frag', '/pets/x%3Fadmin=1%23frag/x'],
    // WHATWG URL reads `\` as `/` in http URLs: `..\admin` would climb out of /pets.
    ['..%5Cadmin', '/pets/..%5Cadmin/x'],
    // and drops tabs and newlines: `.<TAB>.` would become `..`.
    ['.%09.', '/pets/.%09./x'],
    ['%2F%2F127.0.0.1%3A1%2Fx', '/pets///127.0.0.1:1/x/x'],
  ] as const) {
    it(`keeps the mapped query value ${query} inside its segment: ${sent}`, async () => {
      const away = elsewhere.received.length
      const response = await httpRequest(env.tg.url, { path: `${base}/q?id=${query}` })
      expect(response.status).toBe(200)
      expect(env.backend.received.at(-1)?.url).toBe(sent)
      expect(elsewhere.received.length).toBe(away)
    })
  }
})
