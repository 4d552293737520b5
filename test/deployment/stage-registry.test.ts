import {
  CreateDeploymentCommand,
  CreateStageCommand,
  DeleteRestApiCommand,
  DeleteStageCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { StageRegistry, type StageLookup } from '../../src/deployment/stage-registry.js'
import type { ConfigStore } from '../../src/store/index.js'
import { createApi, deploy, putMethodWithIntegration, putMockMethod } from '../support/apis.js'
import { startBackend } from '../support/backend.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'

// What the registry holds stays bounded by what the store holds: a gateway that is redeployed
// all day, or whose APIs come and go (a CI creating an API per test), must not keep every
// compiled deployment, metrics series and execution log it ever served.

const REVALIDATE_MS = 50

let tg: TestGateway
let registry: StageRegistry
const gone: string[] = []
beforeAll(async () => {
  tg = await startTestGateway({ stageRevalidateMs: REVALIDATE_MS })
  // A second registry on the gateway's store: it sees the same changes as the gateway's own.
  registry = new StageRegistry(tg.gateway.store, pino({ level: 'silent' }), {
    revalidateMs: REVALIDATE_MS,
    onStageGone: (apiId, stage) => gone.push(`${apiId}/${stage}`),
  })
})
afterAll(async () => {
  registry.close()
  await tg.close()
})

async function mockApi(): Promise<string> {
  const { apiId, rootId } = await createApi(tg.client)
  await putMockMethod(tg.client, apiId, rootId, 'GET', '{"ok": true}')
  return apiId
}

const deploymentOf = async (apiId: string, stage: string): Promise<string | undefined> => {
  const found: StageLookup = await registry.resolve(apiId, stage)
  return typeof found === 'object' ? found.deployment.id : undefined
}

/** Waits until `check` holds (the background work runs REVALIDATE_MS after a change). */
async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not reached')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/**
 * The gateway's store, whose reads can be held after they have read: `hold()` makes the next
 * reads wait (its promise settles once one has read), `release()` lets them answer.
 */
function gatedStore(): { store: ConfigStore; hold: () => Promise<void>; release: () => void } {
  const store = tg.gateway.store
  let gate: Promise<void> | undefined
  let open = (): void => undefined
  let answered = (): void => undefined
  const gated = new Proxy(store, {
    get(target, name, receiver) {
      if (name !== 'read') {
        const value = Reflect.get(target, name, receiver) as unknown
        // The store's methods use its private fields: called on the store, not the proxy.
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
      }
      return async (...args: Parameters<typeof store.read>) => {
        const answer = await target.read(...args)
        answered()
        await gate
        return answer
      }
    },
  })
  return {
    store: gated,
    hold: () => {
      gate = new Promise((resolve) => (open = resolve))
      return new Promise<void>((resolve) => (answered = resolve))
    },
    release: () => {
      gate = undefined
      open()
    },
  }
}

describe('StageRegistry memory', () => {
  it('keeps only the compiled deployments that loaded stages point to, across redeployments', async () => {
    const apiId = await mockApi()
    const first = await deploy(tg.client, apiId, 'a')
    expect(await deploymentOf(apiId, 'a')).toBe(first)
    await tg.client.send(
      new CreateStageCommand({ restApiId: apiId, stageName: 'pinned', deploymentId: first }),
    )
    expect(await deploymentOf(apiId, 'pinned')).toBe(first)
    const before = registry.compiledDeployments
    let latest = first
    for (let i = 0; i < 6; i++) {
      latest = await deploy(tg.client, apiId, 'a')
      expect(await deploymentOf(apiId, 'a')).toBe(latest)
    }
    // `pinned` still points to the first deployment, `a` to the latest: two kept, not seven.
    await eventually(() => registry.compiledDeployments === before + 1)
    expect(await deploymentOf(apiId, 'pinned')).toBe(first)
    expect(await deploymentOf(apiId, 'a')).toBe(latest)
  })

  it('keeps a canary deployment while the stage has one', async () => {
    const apiId = await mockApi()
    const base = await deploy(tg.client, apiId, 'c')
    const canaryId = (
      await tg.client.send(
        new CreateDeploymentCommand({
          restApiId: apiId,
          stageName: 'c',
          canarySettings: { percentTraffic: 10 },
        }),
      )
    ).id
    const active = await registry.resolve(apiId, 'c')
    if (typeof active !== 'object') throw new Error(`stage c: ${active}`)
    expect(active.deployment.id).toBe(base)
    expect(active.canary?.id).toBe(canaryId)
    // Another change and a sweep: both stay, and the stage still serves them.
    await deploy(tg.client, apiId, 'other')
    await new Promise((resolve) => setTimeout(resolve, REVALIDATE_MS * 3))
    const again = await registry.resolve(apiId, 'c')
    if (typeof again !== 'object') throw new Error(`stage c: ${again}`)
    expect([again.deployment.id, again.canary?.id]).toEqual([base, canaryId])
  })

  it('forgets a deleted stage that nobody asks for again, and the API of a deleted API', async () => {
    const apiId = await mockApi()
    await deploy(tg.client, apiId, 'keep')
    await deploy(tg.client, apiId, 'drop')
    expect(await deploymentOf(apiId, 'keep')).toBeDefined()
    expect(await deploymentOf(apiId, 'drop')).toBeDefined()
    const held = registry.compiledDeployments
    await tg.client.send(new DeleteStageCommand({ restApiId: apiId, stageName: 'drop' }))
    await eventually(() => gone.includes(`${apiId}/drop`))
    expect(gone).not.toContain(`${apiId}/keep`)
    await eventually(() => registry.compiledDeployments === held - 1)
    expect(await deploymentOf(apiId, 'keep')).toBeDefined()
    await tg.client.send(new DeleteRestApiCommand({ restApiId: apiId }))
    await eventually(() => gone.includes(`${apiId}/keep`))
    expect(await registry.resolve(apiId, 'keep')).toBe('no-api')
  })
})

describe('lookups of stages that do not exist', () => {
  it('are answered without the store until the next change, and never grow the loaded stages', async () => {
    const apiId = await mockApi()
    await deploy(tg.client, apiId, 'real')
    await registry.resolve(apiId, 'real')
    const loaded = registry.loadedStages
    for (let i = 0; i < 200; i++) expect(await registry.resolve(apiId, `made-up-${i}`)).toBe('no-stage')
    expect(await registry.resolve('nosuchapi', 'prod')).toBe('no-api')
    expect(registry.loadedStages).toBe(loaded)
    // Asked again: the answer itself, not a promise (no store read).
    expect(registry.resolve(apiId, 'made-up-7')).toBe('no-stage')
    // A name longer than any stage name is looked up each time.
    const long = 'x'.repeat(600)
    expect(await registry.resolve(apiId, long)).toBe('no-stage')
    expect(registry.resolve(apiId, long)).toBeInstanceOf(Promise)
    // Created after it was missing: the change makes the next lookup find it.
    await deploy(tg.client, apiId, 'made-up-7')
    expect(await deploymentOf(apiId, 'made-up-7')).toBeDefined()
  })

  it('tell onStageGone when the first request after a deletion finds the stage gone', async () => {
    // Revalidation far away: the request is what finds the stage gone (a test that deletes an API,
    // checks its 403 and creates the next API within the revalidation window).
    const seen: string[] = []
    const slow = new StageRegistry(tg.gateway.store, pino({ level: 'silent' }), {
      revalidateMs: 60_000,
      onStageGone: (api, stage) => seen.push(`${api}/${stage}`),
    })
    try {
      const apiId = await mockApi()
      await deploy(tg.client, apiId, 's')
      expect(typeof (await slow.resolve(apiId, 's'))).toBe('object')
      await tg.client.send(new DeleteRestApiCommand({ restApiId: apiId }))
      expect(await slow.resolve(apiId, 's')).toBe('no-api')
      await mockApi() // the next change
      expect(seen).toEqual([`${apiId}/s`])
      expect(slow.loadedStages).toBe(0)
    } finally {
      slow.close()
    }
  })
})

describe('a stage deployed while a request was loading it', () => {
  it('is served by the next request, not kept as missing until another change', async () => {
    // The store's answer to the first request is read before the deployment commits and handed
    // over after it (held at `gate`): the registry must not keep that stale "missing" past the
    // change the deployment made.
    const gated = gatedStore()
    const racing = new StageRegistry(gated.store, pino({ level: 'silent' }), { revalidateMs: 60_000 })
    try {
      const apiId = await mockApi()
      const read = gated.hold()
      const first = racing.resolve(apiId, 'late')
      await read
      await deploy(tg.client, apiId, 'late')
      gated.release()
      expect(await first).toBe('no-stage')
      const next = await racing.resolve(apiId, 'late')
      expect(typeof next === 'object' ? 'served' : next).toBe('served')
    } finally {
      racing.close()
    }
  })
})

describe('a stage first served by a load that a change overtook', () => {
  it('is told gone once deleted (its metrics series must go)', async () => {
    // The stage is read, then a change commits before the load hands it over (on another node: the
    // deployment's own notification arriving while the first request reads it). The request was
    // served, so the stage's deletion must reach onStageGone. Failed CI on 2026-12-07 through the
    // cluster test that B forgets a stage deleted through A.
    const gated = gatedStore()
    const seen: string[] = []
    const racing = new StageRegistry(gated.store, pino({ level: 'silent' }), {
      revalidateMs: 60_000,
      onStageGone: (api, stage) => seen.push(`${api}/${stage}`),
    })
    try {
      const apiId = await mockApi()
      await deploy(tg.client, apiId, 'overtaken')
      const read = gated.hold()
      const first = racing.resolve(apiId, 'overtaken')
      await read
      await mockApi() // a change while the first load is held
      gated.release()
      expect(typeof (await first)).toBe('object')
      await tg.client.send(new DeleteStageCommand({ restApiId: apiId, stageName: 'overtaken' }))
      expect(await racing.resolve(apiId, 'overtaken')).toBe('no-stage')
      expect(seen).toEqual([`${apiId}/overtaken`])
    } finally {
      racing.close()
    }
  })
})

describe('a deleted stage in the gateway', () => {
  it('starts from an empty cache when created again (AWS deletes the cache with the stage)', async () => {
    const backend = await startBackend()
    try {
      const { apiId, rootId } = await createApi(tg.client)
      await putMethodWithIntegration(tg.client, apiId, rootId, 'GET', {
        type: 'HTTP_PROXY',
        integrationHttpMethod: 'GET',
        uri: `${backend.url}/cached`,
      })
      const deploymentId = (
        await tg.client.send(
          new CreateDeploymentCommand({
            restApiId: apiId,
            stageName: 'cached',
            cacheClusterEnabled: true,
            cacheClusterSize: '0.5',
          }),
        )
      ).id
      const get = async (): Promise<number> => {
        const response = await fetch(`${tg.url}/_aws/execute-api/${apiId}/cached/`)
        expect(response.status).toBe(200)
        await response.text()
        return backend.received.length
      }
      expect([await get(), await get()]).toEqual([1, 1])
      await tg.client.send(new DeleteStageCommand({ restApiId: apiId, stageName: 'cached' }))
      // Gone: the gateway answers 403 for it (and forgets it).
      expect((await fetch(`${tg.url}/_aws/execute-api/${apiId}/cached/`)).status).toBe(403)
      await tg.client.send(
        new CreateStageCommand({
          restApiId: apiId,
          stageName: 'cached',
          deploymentId,
          cacheClusterEnabled: true,
          cacheClusterSize: '0.5',
        }),
      )
      expect([await get(), await get()]).toEqual([2, 2])
    } finally {
      await backend.close()
    }
  })

  it('drops its metrics series and execution logs; a live stage keeps them', async () => {
    const apiId = await mockApi()
    for (const stage of ['live', 'doomed']) {
      await deploy(tg.client, apiId, stage)
      await tg.client.send(
        new UpdateStageCommand({
          restApiId: apiId,
          stageName: stage,
          patchOperations: [{ op: 'replace', path: '/*/*/logging/loglevel', value: 'INFO' }],
        }),
      )
      const response = await fetch(`${tg.url}/_aws/execute-api/${apiId}/${stage}/`)
      expect(response.status).toBe(200)
    }
    const series = (text: string, stage: string): boolean =>
      text.includes(`tollgate_api_requests_total{api="${apiId}",stage="${stage}"`)
    const logEntries = async (stage: string): Promise<number> => {
      const response = await fetch(`${tg.url}/_tollgate/logs/${apiId}/${stage}`)
      return ((await response.json()) as { entries: unknown[] }).entries.length
    }
    const metrics = async (): Promise<string> => (await fetch(`${tg.url}/_tollgate/metrics`)).text()
    let text = await metrics()
    expect(series(text, 'live') && series(text, 'doomed')).toBe(true)
    expect(await logEntries('doomed')).toBe(1)

    await tg.client.send(new DeleteStageCommand({ restApiId: apiId, stageName: 'doomed' }))
    await eventually(async () => !series(await metrics(), 'doomed'))
    text = await metrics()
    expect(series(text, 'live')).toBe(true)
    expect(await logEntries('doomed')).toBe(0)
    expect(await logEntries('live')).toBe(1)
    // The deleted stage answers as AWS does for an unknown stage.
    const after = await fetch(`${tg.url}/_aws/execute-api/${apiId}/doomed/`)
    expect(after.status).toBe(403)
  })
})
