import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawCall, startTestGateway, type TestGateway } from '../support/gateway.js'
import { createApi, deploy, putMockMethod } from '../support/apis.js'
import { createFunction, lambdaClient } from '../support/lambda.js'
import { watchUnhandledRejections } from '../support/fuzz.js'

// Found by the fuzz suites (issue 16): JSON nested thousands deep parses, but whatever
// converted or stringified it again overflowed the stack. A patch value became a 500; a Lambda
// Invoke payload an unhandled rejection in the gateway's process (fatal outside tests) and a
// request that hung until the function's timeout; a request body 3,000 deep a 500 from any
// mapping template reading `$input.json('$')`. Management bodies and Invoke payloads deeper than
// 1,000 levels (Jackson's limit) are refused; templates read such a body as text, not JSON.
const deepArray = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`
const deepObject = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`

describe('deeply nested JSON bodies', () => {
  let tg: TestGateway
  let apiId = ''
  const rejections = watchUnhandledRejections()

  beforeAll(async () => {
    tg = await startTestGateway()
    const api = await createApi(tg.client)
    apiId = api.apiId
    await putMockMethod(tg.client, apiId, api.rootId, 'GET', '{}')
    // A MOCK whose request template reads the body as JSON, answering what it saw.
    await putMockMethod(tg.client, apiId, api.rootId, 'POST', '{}')
    await rawCall(
      tg.url,
      'PATCH',
      `/restapis/${apiId}/resources/${api.rootId}/methods/POST/integration`,
      JSON.stringify({
        patchOperations: [
          {
            op: 'replace',
            path: '/requestTemplates/application~1json',
            value: '#set($b = $input.json(\'$\'))\n#if($b.length() > 0){"statusCode": 200}#end',
          },
        ],
      }),
    )
    await deploy(tg.client, apiId, 'prod')
    await createFunction(lambdaClient(tg.url), 'echo', {
      'index.js': 'exports.handler = async (event) => event',
    })
  })
  afterAll(async () => {
    await tg.close()
  })

  it('refuses a patch value nested 100,000 deep with a SerializationException, changing nothing', async () => {
    const body = `{"patchOperations": [{"op": "replace", "path": "/description", "value": ${deepArray(100_000)}}]}`
    const answer = await rawCall(tg.url, 'PATCH', `/restapis/${apiId}/stages/prod`, body)
    expect(answer.status).toBe(400)
    expect(answer.errorType).toBe('SerializationException')
    expect(answer.json).toEqual({ message: 'Invalid JSON in request body: nesting deeper than 1000 levels' })
    const stage = await rawCall(tg.url, 'GET', `/restapis/${apiId}/stages/prod`)
    expect((stage.json as Record<string, unknown>)['description']).toBeUndefined()
  })

  it('still reads a body 995 levels deep', async () => {
    const body = `{"patchOperations": [{"op": "replace", "path": "/description", "value": ${deepArray(992)}}]}`
    const answer = await rawCall(tg.url, 'PATCH', `/restapis/${apiId}/stages/prod`, body)
    expect(answer.status).toBe(200)
  })

  it('reads a request body 3,000 deep as text in a mapping template, not a 500', async () => {
    for (const depth of [3_000, 8_000, 50_000]) {
      const response = await fetch(`${tg.url}/_aws/execute-api/${apiId}/prod`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: deepObject(depth),
      })
      expect(response.status).toBe(200)
    }
  })

  it('refuses an Invoke payload nested 100,000 deep, and the function still answers', async () => {
    const answer = await rawCall(tg.url, 'POST', '/2015-03-31/functions/echo/invocations', deepArray(100_000))
    expect(answer.status).toBe(400)
    expect(answer.errorType).toBe('InvalidParameterValueException')
    const next = await rawCall(tg.url, 'POST', '/2015-03-31/functions/echo/invocations', '{"a": [[1]]}')
    expect(next.status).toBe(200)
    expect(next.json).toEqual({ a: [[1]] })
    expect(rejections).toEqual([])
  })
})
