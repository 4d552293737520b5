import { GetDeploymentCommand, GetDeploymentsCommand, GetStageCommand } from '@aws-sdk/client-api-gateway'
import { afterAll, describe, expect, it } from 'vitest'
import { createApi, deploy, putMockMethod } from '../support/apis.js'
import { sdkClient } from '../support/gateway.js'
import { killAll, spawnTollgate, tempDir } from '../support/process.js'

// SIGKILL at moments spread over 50 create-deployment calls (issue 16): after a restart every
// acknowledged deployment is there, the stage points to a complete deployment that serves, and no
// deployment is half-written. The moments are fixed (not random) so a failure can be replayed.
afterAll(killAll)

describe('SIGKILL during create-deployment calls', () => {
  for (const killAfterMs of [40, 180, 420]) {
    it(`keeps a consistent store when killed ${killAfterMs} ms into the calls`, async () => {
      const dataDir = tempDir()
      const first = await spawnTollgate(['--data-dir', dataDir])
      const client = sdkClient(first.url)
      const { apiId, rootId } = await createApi(client, 'deployed-under-fire')
      await putMockMethod(client, apiId, rootId, 'GET', '{"stage": "$context.stage"}')
      await deploy(client, apiId, 'prod')

      // Five callers, ten deployments each, until the process dies under them.
      const acknowledged: string[] = []
      const callers = Array.from({ length: 5 }, async () => {
        for (let i = 0; i < 10; i++) {
          try {
            acknowledged.push(await deploy(client, apiId, 'prod'))
          } catch {
            return
          }
        }
      })
      await new Promise((resolve) => setTimeout(resolve, killAfterMs))
      first.kill('SIGKILL')
      await Promise.all(callers)
      expect(await first.waitExit()).toBe('SIGKILL')
      client.destroy()

      const second = await spawnTollgate(['--data-dir', dataDir])
      const again = sdkClient(second.url)
      const deployments = await again.send(new GetDeploymentsCommand({ restApiId: apiId, limit: 500 }))
      const ids = new Set(deployments.items!.map((d) => d.id!))
      for (const id of acknowledged) expect(ids.has(id), `acknowledged ${id}`).toBe(true)
      // Each deployment that exists is whole: its snapshot holds the API's method.
      for (const id of ids) {
        const deployment = await again.send(
          new GetDeploymentCommand({ restApiId: apiId, deploymentId: id, embed: ['apisummary'] }),
        )
        expect(Object.keys(deployment.apiSummary?.['/'] ?? {}), id).toEqual(['GET'])
      }
      const stage = await again.send(new GetStageCommand({ restApiId: apiId, stageName: 'prod' }))
      expect(ids.has(stage.deploymentId!)).toBe(true)
      // The stage's deployment is whole: it serves.
      const response = await fetch(`${second.url}/_aws/execute-api/${apiId}/prod/`)
      expect(response.status).toBe(200)
      expect(await response.text()).toBe('{"stage": "prod"}')
      again.destroy()
      second.kill('SIGKILL')
      await second.waitExit()
    }, 60_000)
  }
})
