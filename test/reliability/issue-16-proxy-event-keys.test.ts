import { describe, expect, it } from 'vitest'
import { createApi, deploy, httpRequest } from '../support/apis.js'
import { gatewayWithBackend, rawCall } from '../support/gateway.js'
import { createFunction, lambdaClient } from '../support/lambda.js'

// Found by the data-plane fuzz (issue 16): the Lambda proxy event's header and query maps were
// plain objects keyed by what the client sent, so a header named `constructor` found Object's
// own constructor (a 500 on `.push`) and a `__proto__` query parameter was lost.
// Written as JSON text: in an object literal `__proto__: ...` would set the prototype, not a key.
const own = (json: string): Record<string, string> => JSON.parse(json) as Record<string, string>
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:event-echo'

describe('a Lambda proxy event from headers and parameters named like Object members', () => {
  let base = ''
  const env = gatewayWithBackend(async (tg) => {
    await createFunction(lambdaClient(tg.url), 'event-echo', {
      'index.js': `exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({
        headers: event.headers, multiValueHeaders: event.multiValueHeaders,
        query: event.queryStringParameters, multiQuery: event.multiValueQueryStringParameters }) })`,
    })
    const { apiId, rootId } = await createApi(tg.client)
    const method = `/restapis/${apiId}/resources/${rootId}/methods/GET`
    await rawCall(tg.url, 'PUT', method, JSON.stringify({ authorizationType: 'NONE' }))
    await rawCall(
      tg.url,
      'PUT',
      `${method}/integration`,
      JSON.stringify({
        type: 'AWS_PROXY',
        httpMethod: 'POST',
        uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FUNCTION_ARN}/invocations`,
      }),
    )
    await deploy(tg.client, apiId, 'prod')
    base = `/_aws/execute-api/${apiId}/prod`
  })

  it('passes them as ordinary keys', async () => {
    const answer = await httpRequest(env.tg.url, {
      path: `${base}/?constructor=c&__proto__=p&toString=t`,
      headers: own('{"constructor": "x", "__proto__": "y", "hasOwnProperty": "z"}'),
    })
    expect(answer.status).toBe(200)
    const event = JSON.parse(answer.body.toString()) as Record<string, Record<string, unknown>>
    expect(event['headers']).toMatchObject(
      own('{"constructor": "x", "__proto__": "y", "hasOwnProperty": "z"}'),
    )
    expect(event['multiValueHeaders']).toMatchObject(own('{"constructor": ["x"], "__proto__": ["y"]}'))
    expect(event['query']).toEqual(own('{"constructor": "c", "__proto__": "p", "toString": "t"}'))
    expect(event['multiQuery']).toEqual(own('{"constructor": ["c"], "__proto__": ["p"], "toString": ["t"]}'))
  })
})
