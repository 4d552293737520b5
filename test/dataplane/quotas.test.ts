import {
  CreateApiKeyCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  GetAccountCommand,
  GetUsageCommand,
  GetUsagePlanCommand,
  UpdateUsageCommand,
  UpdateUsagePlanCommand,
} from '@aws-sdk/client-api-gateway'
import { rmSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { createApi, deploy, putMockMethod, requireApiKey } from '../support/apis.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { tempDir } from '../support/process.js'
import { expectAwsError } from '../support/parity.js'

// Usage plan quotas (AWS docs "api-gateway-api-usage-plans", API reference QuotaSettings, GetUsage,
// UpdateUsage): a spent quota answers 429 {"message":"Limit Exceeded"} (LimitExceededException),
// counts survive a restart, and UpdateUsage's `replace /remaining` restores them.

const dataDir = tempDir()
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

const today = (): string => new Date().toISOString().slice(0, 10)

/** A MOCK GET / that requires a key, deployed to prod; a plan with `quota` and one key in it. */
async function keyedApi(
  tg: TestGateway,
  quota: { limit: number; offset?: number; period: 'DAY' | 'WEEK' | 'MONTH' },
) {
  const { apiId, rootId } = await createApi(tg.client)
  await putMockMethod(tg.client, apiId, rootId, 'GET', '{"ok": true}')
  await requireApiKey(tg.client, apiId, rootId, 'GET')
  await deploy(tg.client, apiId, 'prod')
  const plan = await tg.client.send(
    new CreateUsagePlanCommand({ name: 'quota', quota, apiStages: [{ apiId, stage: 'prod' }] }),
  )
  const key = await tg.client.send(new CreateApiKeyCommand({ name: 'k', enabled: true }))
  await tg.client.send(
    new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'API_KEY' }),
  )
  return { apiId, planId: plan.id!, keyId: key.id!, value: key.value! }
}

const call = (tg: TestGateway, apiId: string, key: string) =>
  fetch(`${tg.url}/_aws/execute-api/${apiId}/prod/`, { headers: { 'x-api-key': key } })

async function statuses(tg: TestGateway, apiId: string, key: string, n: number): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const response = await call(tg, apiId, key)
    await response.arrayBuffer()
    out.push(response.status)
  }
  return out
}

describe('usage plan quotas', () => {
  it('spends a quota of 5, refuses with 429 Limit Exceeded, stays refused across a restart, and UpdateUsage restores it', async () => {
    let tg = await startTestGateway({ dataDir })
    const { apiId, planId, keyId, value } = await keyedApi(tg, { limit: 5, period: 'DAY' })
    expect(await statuses(tg, apiId, value, 5)).toEqual([200, 200, 200, 200, 200])
    const refused = await call(tg, apiId, value)
    expect(refused.status).toBe(429)
    expect(refused.headers.get('x-amzn-errortype')).toBe('LimitExceededException')
    expect(await refused.json()).toEqual({ message: 'Limit Exceeded' })

    await tg.close()
    tg = await startTestGateway({ dataDir })
    try {
      expect(await statuses(tg, apiId, value, 1)).toEqual([429])
      const usage = await tg.client.send(
        new GetUsageCommand({ usagePlanId: planId, startDate: today(), endDate: today() }),
      )
      expect(usage).toMatchObject({ usagePlanId: planId, startDate: today(), endDate: today() })
      expect(usage.items).toEqual({ [keyId]: [[5, 0]] })

      const updated = await tg.client.send(
        new UpdateUsageCommand({
          usagePlanId: planId,
          keyId,
          patchOperations: [{ op: 'replace', path: '/remaining', value: '3' }],
        }),
      )
      expect(updated.items).toEqual({ [keyId]: [[5, 3]] })
      expect(await statuses(tg, apiId, value, 4)).toEqual([200, 200, 200, 429])
      const after = await tg.client.send(
        new GetUsageCommand({ usagePlanId: planId, keyId, startDate: today(), endDate: today() }),
      )
      expect(after.items).toEqual({ [keyId]: [[8, 0]] })
    } finally {
      await tg.close()
    }
  })

  it('subtracts the offset in the initial period and keeps its bookkeeping out of GetUsagePlan', async () => {
    const tg = await startTestGateway()
    try {
      const { apiId, planId, value } = await keyedApi(tg, { limit: 4, offset: 3, period: 'MONTH' })
      expect(await statuses(tg, apiId, value, 2)).toEqual([200, 429])
      const plan = await tg.client.send(new GetUsagePlanCommand({ usagePlanId: planId }))
      expect(plan.quota).toEqual({ limit: 4, offset: 3, period: 'MONTH' })
      expect(Object.keys(plan)).not.toContain('quotaSince')
      // A raised limit applies at once to the current period.
      await tg.client.send(
        new UpdateUsagePlanCommand({
          usagePlanId: planId,
          patchOperations: [{ op: 'replace', path: '/quota/limit', value: '6' }],
        }),
      )
      expect(await statuses(tg, apiId, value, 3)).toEqual([200, 200, 429])
    } finally {
      await tg.close()
    }
  })

  it('refuses bad GetUsage and UpdateUsage calls and changes nothing', async () => {
    const tg = await startTestGateway()
    try {
      const { apiId, planId, keyId, value } = await keyedApi(tg, { limit: 2, period: 'DAY' })
      await expectAwsError(
        tg.client.send(
          new GetUsageCommand({ usagePlanId: planId, startDate: '2026-02-30', endDate: today() }),
        ),
        {
          code: 'BadRequestException',
          message: 'Invalid startDate: 2026-02-30. Dates are written YYYY-MM-DD',
        },
      )
      await expectAwsError(
        tg.client.send(new GetUsageCommand({ usagePlanId: 'nope', startDate: today(), endDate: today() })),
        { code: 'NotFoundException', message: 'Invalid Usage Plan ID specified: nope' },
      )
      await expectAwsError(
        tg.client.send(
          new UpdateUsageCommand({
            usagePlanId: planId,
            keyId,
            patchOperations: [
              { op: 'replace', path: '/remaining', value: '100' },
              { op: 'replace', path: '/remaining', value: '-1' },
            ],
          }),
        ),
        {
          code: 'BadRequestException',
          message: 'Invalid remaining quota: -1. Must be a non-negative integer',
        },
      )
      await expectAwsError(
        tg.client.send(
          new UpdateUsageCommand({
            usagePlanId: planId,
            keyId: 'not-a-member',
            patchOperations: [{ op: 'replace', path: '/remaining', value: '1' }],
          }),
        ),
        { code: 'NotFoundException', message: 'Invalid Usage Plan Key identifier specified' },
      )
      // The refused `100` was not applied: the quota of 2 holds.
      expect(await statuses(tg, apiId, value, 3)).toEqual([200, 200, 429])
    } finally {
      await tg.close()
    }
  })
})

describe('GetAccount', () => {
  it('reports the account throttle from configuration', async () => {
    const tg = await startTestGateway({ accountRateLimit: 250.5, accountBurstLimit: 40 })
    try {
      const account = await tg.client.send(new GetAccountCommand({}))
      expect(account.throttleSettings).toEqual({ rateLimit: 250.5, burstLimit: 40 })
      expect(account.features).toEqual(['UsagePlans'])
    } finally {
      await tg.close()
    }
  })
})
