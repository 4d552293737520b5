import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createApi,
  createPath,
  deploy,
  httpRequest,
  putMethodWithIntegration,
  putMockMethod,
} from '../support/apis.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { createFunction, lambdaClient } from '../support/lambda.js'

// Headers HTTP cannot carry (issue 16: "malformed proxy responses, including header values with
// CR/LF"): a Lambda proxy response with one is malformed, 502 as AWS answers malformed proxy
// responses (AWS docs "set-up-lambda-proxy-integrations": "Malformed Lambda proxy response");
// a mapped header whose value comes from request data is dropped. The response is never split.
const RETURNS: Record<string, string> = {
  'crlf-value': `{ statusCode: 200, headers: { 'X-Evil': 'a\\r\\nSet-Cookie: pwned=1' }, body: 'x' }`,
  'crlf-name': `{ statusCode: 200, headers: { 'X-Evil\\r\\nSet-Cookie': 'pwned=1' }, body: 'x' }`,
  'lf-multi': `{ statusCode: 200, multiValueHeaders: { 'X-Evil': ['ok', 'a\\nSet-Cookie: pwned=1'] }, body: 'x' }`,
  'nul-value': `{ statusCode: 200, headers: { 'X-Evil': 'a\\u0000b' }, body: 'x' }`,
}

describe('header injection', () => {
  let tg: TestGateway
  let apiId = ''

  beforeAll(async () => {
    tg = await startTestGateway()
    const lambda = lambdaClient(tg.url)
    const api = await createApi(tg.client)
    apiId = api.apiId
    for (const [name, value] of Object.entries(RETURNS)) {
      await createFunction(lambda, `returns-${name}`, {
        'index.js': `exports.handler = async () => (${value})`,
      })
      const resource = await createPath(tg.client, apiId, api.rootId, name)
      await putMethodWithIntegration(tg.client, apiId, resource, 'GET', {
        type: 'AWS_PROXY',
        integrationHttpMethod: 'POST',
        uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:returns-${name}/invocations`,
      })
    }
    lambda.destroy()
    const echo = await createPath(tg.client, apiId, api.rootId, 'echo')
    await putMockMethod(
      tg.client,
      apiId,
      echo,
      'GET',
      '#set($context.responseOverride.header.X-Echo = $input.params(\'q\'))\n{"ok": true}',
    )
    await deploy(tg.client, apiId, 'prod')
  })

  afterAll(async () => {
    await tg.close()
  })

  for (const name of Object.keys(RETURNS)) {
    it(`answers 502 for a proxy response with ${name}, with no header of it`, async () => {
      const response = await httpRequest(tg.url, { path: `/_aws/execute-api/${apiId}/prod/${name}` })
      expect(response.status).toBe(502)
      expect(JSON.parse(response.body.toString())).toEqual({ message: 'Internal server error' })
      expect(response.headers['x-amzn-errortype']).toBe('InternalServerErrorException')
      expect(response.headers['set-cookie']).toBeUndefined()
      expect(response.headers['x-evil']).toBeUndefined()
    })
  }

  it('drops a mapped header whose value from the request holds CR/LF, and answers', async () => {
    const clean = await httpRequest(tg.url, { path: `/_aws/execute-api/${apiId}/prod/echo?q=plain` })
    expect(clean.headers['x-echo']).toBe('plain')
    const response = await httpRequest(tg.url, {
      path: `/_aws/execute-api/${apiId}/prod/echo?q=a%0D%0ASet-Cookie:%20pwned=1`,
    })
    expect(response.status).toBe(200)
    expect(JSON.parse(response.body.toString())).toEqual({ ok: true })
    expect(response.headers['x-echo']).toBeUndefined()
    expect(response.headers['set-cookie']).toBeUndefined()
  })
})
