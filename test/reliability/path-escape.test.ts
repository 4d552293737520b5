import { describe, expect, it } from 'vitest'
import { createApi, createPath, deploy, httpRequest, putMethodWithIntegration } from '../support/apis.js'
import { gatewayWithBackend } from '../support/gateway.js'

// Path parameters must not move an HTTP integration's request elsewhere on the backend (issue 16,
// "no SSRF"): a value that is a `.` or `..` segment, raw or percent-encoded, would be resolved
// away with the URI's own path (`/pets/{id}/x` with `..` is `/x`). Tollgate refuses it with 400
// BAD_REQUEST_PARAMETERS and calls nothing (its safe choice; AWS does not document this case).
// Encoded slashes and other characters stay inside their segment, as they arrived.
describe('path parameters in HTTP integration URIs', () => {
  let base = ''
  const env = gatewayWithBackend(async (tg, backend) => {
    const { apiId, rootId } = await createApi(tg.client)
    const item = await createPath(tg.client, apiId, rootId, 'items/{id}')
    await putMethodWithIntegration(
      tg.client,
      apiId,
      item,
      'GET',
      {
        type: 'HTTP_PROXY',
        integrationHttpMethod: 'GET',
        uri: `${backend.url}/pets/{id}/x`,
        requestParameters: { 'integration.request.path.id': 'method.request.path.id' },
      },
      { requestParameters: { 'method.request.path.id': true } },
    )
    const proxy = await createPath(tg.client, apiId, rootId, 'p/{proxy+}')
    await putMethodWithIntegration(tg.client, apiId, proxy, 'GET', {
      type: 'HTTP_PROXY',
      integrationHttpMethod: 'GET',
      uri: `${backend.url}/base/{proxy}`,
    })
    const query = await createPath(tg.client, apiId, rootId, 'q')
    await putMethodWithIntegration(
      tg.client,
      apiId,
      query,
      'GET',
      {
        type: 'HTTP',
        integrationHttpMethod: 'GET',
        uri: `${backend.url}/pets/{id}/x`,
        requestParameters: { 'integration.request.path.id': 'method.request.querystring.id' },
      },
      { requestParameters: { 'method.request.querystring.id': true } },
    )
    await deploy(tg.client, apiId, 'prod')
    base = `/_aws/execute-api/${apiId}/prod`
  })

  for (const path of [
    '/items/..',
    '/items/%2e%2e',
    '/items/.%2E',
    '/items/.',
    '/p/../../etc',
    '/p/a/%2e%2e/%2E%2e/admin',
    '/q?id=..',
  ]) {
    it(`refuses ${path} with 400 and calls no backend`, async () => {
      const before = env.backend.received.length
      const response = await httpRequest(env.tg.url, { path: `${base}${path}` })
      expect(response.status).toBe(400)
      expect(response.headers['x-amzn-errortype']).toBe('BadRequestException')
      expect(env.backend.received.length).toBe(before)
    })
  }

  for (const [path, sent] of [
    ['/items/a%2Fb', '/pets/a%2Fb/x'],
    ['/items/a%3Fq=1', '/pets/a%3Fq=1/x'],
    ['/items/@evil.com', '/pets/@evil.com/x'],
    ['/items/..a', '/pets/..a/x'],
    ['/p/a%2F..%2F..%2Fadmin', '/base/a%2F..%2F..%2Fadmin'],
  ] as const) {
    it(`sends ${path} to ${sent}, inside the URI's path`, async () => {
      const response = await httpRequest(env.tg.url, { path: `${base}${path}` })
      expect(response.status).toBe(200)
      expect(env.backend.received.at(-1)?.url).toBe(sent)
    })
  }
})
