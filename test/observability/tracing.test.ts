import {
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  UpdateMethodCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/config.js'
import { parseTraceHeader, traceHeaderWithParent } from '../../src/observability/trace-header.js'
import { createApi, createPath, putMethodWithIntegration, putMockMethod } from '../support/apis.js'
import { startBackend, type TestBackend } from '../support/backend.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { createFunction, lambdaClient } from '../support/lambda.js'
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js'

// OpenTelemetry spans over OTLP/HTTP JSON for stages with tracingEnabled: a SERVER root span per
// request, a child per pipeline stage, a Lambda span under the integration, in the caller's trace
// when X-Amzn-Trace-Id names one (Root → trace id, Parent → parent span id).

const SERVER = 2
const CLIENT = 3
const INTERNAL = 1

let receiver: OtlpReceiver
let tg: TestGateway
let backend: TestBackend
let apiId: string
beforeAll(async () => {
  receiver = await startOtlpReceiver()
  tg = await startTestGateway({ otlpEndpoint: receiver.url })
  backend = await startBackend()
  const lambda = lambdaClient(tg.url)
  await createFunction(lambda, 'traced-fn', {
    'index.js':
      'exports.handler = async () => ({ statusCode: 200, body: JSON.stringify({ trace: process.env._X_AMZN_TRACE_ID }) })',
  })
  lambda.destroy()
  const api = await createApi(tg.client)
  apiId = api.apiId
  const fn = await createPath(tg.client, apiId, api.rootId, 'fn')
  await putMethodWithIntegration(tg.client, apiId, fn, 'GET', {
    type: 'AWS_PROXY',
    integrationHttpMethod: 'POST',
    uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:traced-fn/invocations',
  })
  const http = await createPath(tg.client, apiId, api.rootId, 'http')
  await putMethodWithIntegration(tg.client, apiId, http, 'GET', {
    type: 'HTTP_PROXY',
    integrationHttpMethod: 'GET',
    uri: `${backend.url}/backend`,
  })
  for (const stageName of ['traced', 'plain'])
    await tg.client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName }))
  await tg.client.send(
    new UpdateStageCommand({
      restApiId: apiId,
      stageName: 'traced',
      patchOperations: [{ op: 'replace', path: '/tracingEnabled', value: 'true' }],
    }),
  )
})
afterAll(async () => {
  await tg.close()
  await backend.close()
  await receiver.close()
})

/** A fresh X-Ray trace header and the OpenTelemetry ids it maps to. */
function callerTrace(): { header: string; traceId: string; parentId: string } {
  const hex = (n: number): string =>
    Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('')
  const [time, id, parentId] = [hex(8), hex(24), hex(16)]
  return { header: `Root=1-${time}-${id};Parent=${parentId};Sampled=1`, traceId: `${time}${id}`, parentId }
}

/** The spans of one trace, once its root span has arrived (a root ends after all its children). */
async function spansOf(traceId: string): Promise<ReceivedSpan[]> {
  await receiver.waitFor((spans) => spans.some((s) => s.traceId === traceId && s.kind === SERVER))
  return receiver.spans.filter((s) => s.traceId === traceId)
}

const call = (stage: string, path: string, trace: string): Promise<Response> =>
  fetch(`${tg.url}/_aws/execute-api/${apiId}/${stage}${path}`, { headers: { 'X-Amzn-Trace-Id': trace } })

describe('tracing a Lambda proxy request', () => {
  it("joins the caller's trace: root → stage spans → Lambda span, cold start on the first invoke", async () => {
    const caller = callerTrace()
    const response = await call('traced', '/fn', caller.header)
    expect(response.status).toBe(200)
    const seenByFunction = ((await response.json()) as { trace: string }).trace

    const spans = await spansOf(caller.traceId)
    const root = spans.find((s) => s.kind === SERVER && s.parentSpanId === caller.parentId)!
    expect(root).toBeDefined()
    expect(root.name).toBe('GET /fn')
    expect(root.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/fn',
      'http.response.status_code': 200,
      'tollgate.api_id': apiId,
      'tollgate.stage': 'traced',
      'tollgate.resource_path': '/fn',
    })
    expect(root.resource['service.name']).toBe('tollgate')

    const stages = spans.filter((s) => s.parentSpanId === root.spanId)
    expect(stages.map((s) => s.name)).toEqual(
      expect.arrayContaining(['routeRequest', 'authorize', 'buildIntegrationRequest', 'invokeIntegration']),
    )
    const integration = stages.find((s) => s.name === 'invokeIntegration')!
    expect(integration.kind).toBe(CLIENT)
    expect(integration.attributes['tollgate.integration.type']).toBe('AWS_PROXY')
    expect(stages.find((s) => s.name === 'authorize')!.kind).toBe(INTERNAL)

    const lambda = spans.find((s) => s.parentSpanId === integration.spanId)!
    expect(lambda.name).toBe('traced-fn')
    expect(lambda.attributes).toMatchObject({ 'faas.name': 'traced-fn', 'faas.coldstart': true })
    // Every span of the request is in this trace; the function saw the gateway's span as Parent.
    expect(spans).toHaveLength(stages.length + 2)
    expect(seenByFunction).toBe(
      `Root=1-${caller.traceId.slice(0, 8)}-${caller.traceId.slice(8)};Parent=${root.spanId};Sampled=1`,
    )
  })

  it('marks the next invocation of the warm function as no cold start, and counts cold starts', async () => {
    const caller = callerTrace()
    expect((await call('traced', '/fn', caller.header)).status).toBe(200)
    const lambda = (await spansOf(caller.traceId)).find((s) => s.name === 'traced-fn')!
    expect(lambda.attributes['faas.coldstart']).toBe(false)
    const metrics = await (await fetch(`${tg.url}/_tollgate/metrics`)).text()
    expect(metrics).toContain('tollgate_lambda_cold_starts_total{function="traced-fn"} 1')
  })
})

describe('tracing an HTTP_PROXY request', () => {
  it('gives the backend the gateway span as Parent and records the backend call', async () => {
    const caller = callerTrace()
    expect((await call('traced', '/http', caller.header)).status).toBe(200)
    const spans = await spansOf(caller.traceId)
    const root = spans.find((s) => s.kind === SERVER)!
    expect(root.parentSpanId).toBe(caller.parentId)
    const integration = spans.find((s) => s.name === 'invokeIntegration')!
    expect(integration.parentSpanId).toBe(root.spanId)
    expect(integration.attributes).toMatchObject({
      'url.full': `${backend.url}/backend`,
      'http.request.method': 'GET',
      'http.response.status_code': 200,
    })
    expect(backend.received.at(-1)!.headers['x-amzn-trace-id']).toBe(
      `Root=1-${caller.traceId.slice(0, 8)}-${caller.traceId.slice(8)};Parent=${root.spanId};Sampled=1`,
    )
  })

  it('takes the trace id from a Root without Parent (a new root span in that trace)', async () => {
    const caller = callerTrace()
    const header = caller.header.replace(/;Parent=[0-9a-f]+/, '')
    expect((await call('traced', '/http', header)).status).toBe(200)
    const root = (await spansOf(caller.traceId)).find((s) => s.kind === SERVER)!
    expect(root.parentSpanId).toBe('')
  })
})

describe('a stage with tracingEnabled false', () => {
  it('sends no spans, and passes the trace header on unchanged', async () => {
    const untraced = callerTrace()
    expect((await call('plain', '/http', untraced.header)).status).toBe(200)
    expect(backend.received.at(-1)!.headers['x-amzn-trace-id']).toBe(untraced.header)
    // Spans leave in order: once a later traced request's spans are in, any of the first would be.
    const later = callerTrace()
    await call('traced', '/http', later.header)
    await spansOf(later.traceId)
    expect(receiver.spans.filter((s) => s.traceId === untraced.traceId)).toEqual([])
  })
})

describe('tracing a method with a Lambda authorizer', () => {
  it('puts the authorizer function span under the authorize stage span', async () => {
    const lambda = lambdaClient(tg.url)
    await createFunction(lambda, 'traced-authorizer', {
      'index.js':
        'exports.handler = async (event) => ({ principalId: "p", policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: event.methodArn }] }, context: { trace: process.env._X_AMZN_TRACE_ID } })',
    })
    lambda.destroy()
    const { apiId: id, rootId } = await createApi(tg.client)
    const authorizer = await tg.client.send(
      new CreateAuthorizerCommand({
        restApiId: id,
        name: 'traced',
        type: 'TOKEN',
        identitySource: 'method.request.header.Authorization',
        authorizerUri:
          'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:traced-authorizer/invocations',
        authorizerResultTtlInSeconds: 0,
      }),
    )
    await putMockMethod(tg.client, id, rootId, 'GET', '{"trace": "$context.authorizer.trace"}')
    await tg.client.send(
      new UpdateMethodCommand({
        restApiId: id,
        resourceId: rootId,
        httpMethod: 'GET',
        patchOperations: [
          { op: 'replace', path: '/authorizationType', value: 'CUSTOM' },
          { op: 'replace', path: '/authorizerId', value: authorizer.id! },
        ],
      }),
    )
    await tg.client.send(
      new CreateDeploymentCommand({ restApiId: id, stageName: 'traced', tracingEnabled: true }),
    )
    const caller = callerTrace()
    const response = await fetch(`${tg.url}/_aws/execute-api/${id}/traced/`, {
      headers: { 'X-Amzn-Trace-Id': caller.header, Authorization: 'token' },
    })
    expect(response.status).toBe(200)
    const spans = await spansOf(caller.traceId)
    const root = spans.find((s) => s.kind === SERVER && s.parentSpanId === caller.parentId)!
    const authorize = spans.find((s) => s.name === 'authorize')!
    expect(authorize.parentSpanId).toBe(root.spanId)
    const fn = spans.find((s) => s.name === 'traced-authorizer')!
    expect(fn.parentSpanId).toBe(authorize.spanId)
    expect(fn.attributes).toMatchObject({ 'faas.name': 'traced-authorizer', 'faas.coldstart': true })
    expect(((await response.json()) as { trace: string }).trace).toContain(`Parent=${root.spanId}`)
  })
})

describe('a request the gateway refuses', () => {
  it('ends the refusing stage span and the root span with the gateway error', async () => {
    const caller = callerTrace()
    expect((await call('traced', '/nowhere', caller.header)).status).toBe(403)
    const spans = await spansOf(caller.traceId)
    const root = spans.find((s) => s.kind === SERVER)!
    expect(root.name).toBe('GET')
    expect(root.attributes).toMatchObject({
      'http.response.status_code': 403,
      'tollgate.error.response_type': 'MISSING_AUTHENTICATION_TOKEN',
    })
    expect(root.status.code ?? 0).toBe(0) // a 4XX is not a server span error
    const route = spans.find((s) => s.name === 'routeRequest')!
    expect(route.status.code).toBe(2) // ERROR
    expect(route.attributes['tollgate.error.response_type']).toBe('MISSING_AUTHENTICATION_TOKEN')
    expect(spans).toHaveLength(2)
  })
})

describe("a caller's Sampled=0", () => {
  it('is honoured: no spans, header passed on unchanged', async () => {
    const declined = callerTrace()
    const header = declined.header.replace('Sampled=1', 'Sampled=0')
    expect((await call('traced', '/http', header)).status).toBe(200)
    expect(backend.received.at(-1)!.headers['x-amzn-trace-id']).toBe(header)
    const later = callerTrace()
    await call('traced', '/http', later.header)
    await spansOf(later.traceId)
    expect(receiver.spans.filter((s) => s.traceId === declined.traceId)).toEqual([])
  })
})

describe('the OTLP endpoint setting', () => {
  it('comes from --otlp-endpoint, TOLLGATE_OTLP_ENDPOINT or the OpenTelemetry variables', () => {
    const endpoint = (options: Record<string, unknown>, env: Record<string, string>) =>
      loadConfig(options, env).otlpEndpoint
    expect(endpoint({}, {})).toBeUndefined()
    expect(endpoint({ otlpEndpoint: 'http://127.0.0.1:4318' }, {})).toBe('http://127.0.0.1:4318/v1/traces')
    expect(endpoint({}, { TOLLGATE_OTLP_ENDPOINT: 'http://c:4318/custom/traces' })).toBe(
      'http://c:4318/custom/traces',
    )
    expect(endpoint({}, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:4318/v1/traces' })).toBe(
      'http://t:4318/v1/traces',
    )
    expect(endpoint({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://b:4318/' })).toBe('http://b:4318/v1/traces')
    expect(
      endpoint(
        { otlpEndpoint: 'http://flag:4318/v1/traces' },
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://b:4318' },
      ),
    ).toBe('http://flag:4318/v1/traces')
    expect(() => endpoint({ otlpEndpoint: 'not a url' }, {})).toThrow(/otlpEndpoint/)
  })
})

describe('X-Amzn-Trace-Id ↔ OpenTelemetry ids', () => {
  it('reads Root, Parent and Sampled in any order and ignores malformed fields', () => {
    expect(
      parseTraceHeader('Sampled=0;Parent=53995C3F42CD8AD8;Root=1-5759e988-bd862e3fe1be46a994272793'),
    ).toEqual({ traceId: '5759e988bd862e3fe1be46a994272793', parentId: '53995c3f42cd8ad8', sampled: false })
    expect(parseTraceHeader('Root=2-5759e988-bd86;Parent=xyz;Sampled=maybe')).toEqual({})
  })

  it('passes on other fields with the gateway span as Parent', () => {
    expect(
      traceHeaderWithParent(
        'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0;Lineage=a87bd80c:1',
        '5759e988bd862e3fe1be46a994272793',
        '0123456789abcdef',
      ),
    ).toBe('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=0123456789abcdef;Sampled=1;Lineage=a87bd80c:1')
  })
})
