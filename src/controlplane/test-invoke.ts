import { compileDeployment } from '../deployment/compiled-deployment.js'
import { InvocationContext, type ServingTarget } from '../dataplane/context.js'
import { runPipeline, TEST_INVOKE_STAGES } from '../dataplane/pipeline.js'
import { parseQuery, type HeaderEntry } from '../dataplane/request.js'
import { resourcePath, type StageRecord } from '../model/index.js'
import { notFound } from './api-error.js'
import { loadApi } from './documents.js'
import type { Route } from './router.js'

const TEST_STAGE = 'test-invoke-stage'

/**
 * TestInvokeMethod (AWS API reference; the console's Test button): runs a method as it is defined
 * now, not as deployed, without authorization, API keys, throttling or the cache, and reports the
 * response with its latency and an execution log.
 */
export const testInvokeMethodRoute: Route = {
  method: 'POST',
  path: '/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}',
  handler: async (req, { store, config, dataPlane }) => {
    const apiId = req.params['restapi_id'] ?? ''
    const doc = await store.read((r) => loadApi(r, config, apiId))
    const resource = doc.resources[req.params['resource_id'] ?? '']
    if (!resource) throw notFound('Invalid Resource identifier specified')
    const httpMethod = (req.params['http_method'] ?? '').toUpperCase()
    if (!resource.resourceMethods?.[httpMethod as 'GET'])
      throw notFound('Invalid Method identifier specified')
    const deployment = compileDeployment({
      id: 'test-invoke',
      createdDate: 0,
      restApiId: apiId,
      snapshot: doc,
    })
    const stageVariables = req.body.stringMap('stageVariables') ?? {}
    const now = Math.floor(Date.now() / 1000)
    const stage: StageRecord = {
      restApiId: apiId,
      stageName: TEST_STAGE,
      deploymentId: deployment.id,
      cacheClusterEnabled: false,
      cacheClusterStatus: 'NOT_AVAILABLE',
      methodSettings: {},
      variables: stageVariables,
      tracingEnabled: false,
      createdDate: now,
      lastUpdatedDate: now,
    }
    const target: ServingTarget = {
      apiId,
      stageName: TEST_STAGE,
      active: { stage, deployment },
      deployment,
      isCanaryRequest: false,
      stageVariables,
    }
    const [path = '/', rawQuery = ''] = (
      req.body.string('pathWithQueryString') ?? resourcePath(doc.resources, resource.id)
    ).split('?')
    const headers: HeaderEntry[] = Object.entries(req.body.stringMap('headers') ?? {})
    const multi = req.body.raw['multiValueHeaders']
    if (multi && typeof multi === 'object')
      for (const [name, values] of Object.entries(multi as Record<string, unknown>))
        if (Array.isArray(values)) for (const v of values) if (typeof v === 'string') headers.push([name, v])
    const body = Buffer.from(req.body.string('body') ?? '')
    const ctx = new InvocationContext(
      {
        method: httpMethod,
        path,
        stagePath: `/${TEST_STAGE}${path}`,
        rawPath: path,
        headers,
        rawQuery,
        query: parseQuery(rawQuery),
        body,
        sourceIp: 'test-invoke-source-ip',
        protocol: 'HTTP/1.1',
        host: `${apiId}.execute-api.${config.region}.amazonaws.com`,
      },
      target,
    )
    const started = performance.now()
    const response = await runPipeline(ctx, dataPlane, TEST_INVOKE_STAGES)
    const latency = Math.round(performance.now() - started)
    const single: Record<string, string> = {}
    const multiValue: Record<string, string[]> = {}
    for (const [name, value] of response.headers) {
      single[name] = value
      ;(multiValue[name] ??= []).push(value)
    }
    const stamp = (): string => new Date().toUTCString()
    const log = [
      `Execution log for request ${ctx.requestId}`,
      `${stamp()} : Starting execution for request: ${ctx.requestId}`,
      `${stamp()} : HTTP Method: ${httpMethod}, Resource Path: ${path}`,
      `${stamp()} : Method request body before transformations: ${body.toString('utf8')}`,
      ...(ctx.integrationRequest
        ? [
            `${stamp()} : Endpoint request URI: ${ctx.integrationRequest.url}`,
            `${stamp()} : Endpoint request body after transformations: ${ctx.integrationRequest.body.toString('utf8')}`,
          ]
        : []),
      ...(ctx.endpointResponse
        ? [
            `${stamp()} : Received response. Status: ${ctx.endpointResponse.status}, Integration latency: ${Math.round(ctx.integrationLatencyMs ?? 0)} ms`,
          ]
        : []),
      ...(ctx.error ? [`${stamp()} : Gateway response type: ${ctx.error.type} (${ctx.error.detail})`] : []),
      `${stamp()} : Method response body after transformations: ${response.body.toString('utf8')}`,
      `${stamp()} : Method completed with status: ${response.status}`,
      '',
    ].join('\n')
    return {
      status: 200,
      body: {
        status: response.status,
        body: response.body.toString('utf8'),
        headers: single,
        multiValueHeaders: multiValue,
        log,
        latency,
      },
    }
  },
}
