import {
  GetDeploymentCommand,
  GetDeploymentsCommand,
  GetMethodCommand,
  GetResourcesCommand,
  GetRestApiCommand,
  GetStageCommand,
} from '@aws-sdk/client-api-gateway'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { createApi, createPath, deploy, putMethodWithIntegration } from '../support/apis.js'
import { sdkClient } from '../support/gateway.js'
import { killAll, spawnTollgate, tempDir, type TollgateProcess } from '../support/process.js'

const started: TollgateProcess[] = []
afterEach(() => {
  for (const p of started.splice(0)) p.kill('SIGKILL')
})
afterAll(killAll)

describe('embedded store durability', () => {
  it('keeps APIs, deployments and stages across kill -9 and a restart', async () => {
    const dataDir = tempDir()
    const first = await spawnTollgate(['--data-dir', dataDir])
    started.push(first)
    const client = sdkClient(first.url)
    const { apiId, rootId } = await createApi(client, 'durable')
    const pets = await createPath(client, apiId, rootId, 'pets/{id}')
    await putMethodWithIntegration(
      client,
      apiId,
      pets,
      'GET',
      { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } },
      { responseTemplates: { 'application/json': '{"pet":"$context.stage"}' } },
    )
    const deploymentId = await deploy(client, apiId, 'prod', { color: 'blue' })
    const before = {
      api: await client.send(new GetRestApiCommand({ restApiId: apiId })),
      resources: await client.send(new GetResourcesCommand({ restApiId: apiId, embed: ['methods'] })),
      stage: await client.send(new GetStageCommand({ restApiId: apiId, stageName: 'prod' })),
      deployment: await client.send(new GetDeploymentCommand({ restApiId: apiId, deploymentId })),
    }
    client.destroy()

    // No graceful close: only what was committed (synchronous=FULL, WAL) can survive.
    first.kill('SIGKILL')
    expect(await first.waitExit()).toBe('SIGKILL')

    const second = await spawnTollgate(['--data-dir', dataDir])
    started.push(second)
    const again = sdkClient(second.url)
    const strip = <T extends { $metadata?: unknown }>(value: T) => ({ ...value, $metadata: undefined })
    expect(strip(await again.send(new GetRestApiCommand({ restApiId: apiId })))).toEqual(strip(before.api))
    expect(
      strip(await again.send(new GetResourcesCommand({ restApiId: apiId, embed: ['methods'] }))),
    ).toEqual(strip(before.resources))
    expect(strip(await again.send(new GetStageCommand({ restApiId: apiId, stageName: 'prod' })))).toEqual(
      strip(before.stage),
    )
    expect(strip(await again.send(new GetDeploymentCommand({ restApiId: apiId, deploymentId })))).toEqual(
      strip(before.deployment),
    )
    const deployments = await again.send(new GetDeploymentsCommand({ restApiId: apiId }))
    expect(deployments.items!.map((d) => d.id)).toEqual([deploymentId])
    const method = await again.send(
      new GetMethodCommand({ restApiId: apiId, resourceId: pets, httpMethod: 'GET' }),
    )
    expect(method.methodIntegration?.type).toBe('MOCK')
    // And the restarted gateway serves the deployment.
    const response = await fetch(`${second.url}/_aws/execute-api/${apiId}/prod/pets/7`)
    expect(await response.text()).toBe('{"pet":"prod"}')
    again.destroy()
  })
})
