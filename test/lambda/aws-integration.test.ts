import {
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
} from '@aws-sdk/client-api-gateway'
import type { LambdaClient } from '@aws-sdk/client-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, createPath, deploy } from '../support/apis.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { createFunction, lambdaClient } from '../support/lambda.js'

let tg: TestGateway
let lambda: LambdaClient
beforeAll(async () => {
  tg = await startTestGateway()
  lambda = lambdaClient(tg.url)
  await createFunction(lambda, 'calc', {
    'index.js': `exports.handler = async (event) => {
      if (event.b === 0) throw new Error('DivisionByZero: cannot divide ' + event.a)
      if (event.a === undefined) throw new Error('BadInput: a is missing')
      return { result: event.a / event.b, stage: event.stage }
    }`,
  })
})
afterAll(async () => {
  lambda.destroy()
  await tg.close()
})

// AWS docs "handle-errors-in-lambda-integration": integration responses are selected by matching
// selectionPattern against the function error's errorMessage; success takes the default response.
describe('AWS (non-proxy) Lambda integration', () => {
  it('maps the request with a template and selects responses by errorMessage', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    const calc = await createPath(tg.client, apiId, rootId, 'calc/{a}/{b}')
    const common = { restApiId: apiId, resourceId: calc, httpMethod: 'GET' }
    await tg.client.send(new PutMethodCommand({ ...common, authorizationType: 'NONE' }))
    await tg.client.send(
      new PutIntegrationCommand({
        ...common,
        type: 'AWS',
        integrationHttpMethod: 'POST',
        uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:calc/invocations',
        requestTemplates: {
          'application/json':
            '{"a": $input.params(\'a\'), "b": $input.params(\'b\'), "stage": "$context.stage"}',
        },
      }),
    )
    for (const statusCode of ['200', '400', '422']) {
      await tg.client.send(new PutMethodResponseCommand({ ...common, statusCode }))
    }
    await tg.client.send(
      new PutIntegrationResponseCommand({
        ...common,
        statusCode: '200',
        selectionPattern: '',
        responseTemplates: {
          'application/json': '{"answer": $input.path(\'$.result\'), "stage": "$input.path(\'$.stage\')"}',
        },
      }),
    )
    await tg.client.send(
      new PutIntegrationResponseCommand({
        ...common,
        statusCode: '400',
        selectionPattern: 'DivisionByZero.*',
        responseTemplates: {
          'application/json': '{"error": "$util.escapeJavaScript($input.path(\'$.errorMessage\'))"}',
        },
      }),
    )
    await tg.client.send(
      new PutIntegrationResponseCommand({ ...common, statusCode: '422', selectionPattern: 'BadInput.*' }),
    )
    await deploy(tg.client, apiId, 'prod')

    const ok = await fetch(`${tg.url}/_aws/execute-api/${apiId}/prod/calc/10/4`)
    expect(ok.status).toBe(200)
    expect(await ok.json()).toEqual({ answer: 2.5, stage: 'prod' })

    const division = await fetch(`${tg.url}/_aws/execute-api/${apiId}/prod/calc/10/0`)
    expect(division.status).toBe(400)
    expect(await division.json()).toEqual({ error: 'DivisionByZero: cannot divide 10' })
  })
})
