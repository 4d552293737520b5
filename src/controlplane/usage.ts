import type { UsagePlan } from '../model/index.js'
import { daysBetween, isDay, utcDay } from '../quota/periods.js'
import { quotaCounter, type DailyUsage, type QuotaCounter } from '../quota/usage-store.js'
import { badRequest, notFound } from './api-error.js'
import { invalidPatchPath, readPatchOperations } from './patch.js'
import type { ManagementDeps, Route } from './router.js'

/** AWS's `Usage` shape: daily `[used, remaining]` per key (the SDK's `items` is `values` on the wire). */
interface UsageBody {
  usagePlanId: string
  startDate: string
  endDate: string
  values: Record<string, DailyUsage[]>
}

const planNotFound = (id: string): Error => notFound(`Invalid Usage Plan ID specified: ${id}`)

/**
 * Usage of a plan's keys from `from` to `to`. A plan without a quota counts requests all the same
 * and reports a remaining of 0 (what AWS reports there is not documented).
 */
async function usageOf(
  deps: ManagementDeps,
  plan: UsagePlan,
  keyIds: readonly string[],
  from: string,
  to: string,
): Promise<UsageBody> {
  const counters: QuotaCounter[] = keyIds.map(
    (keyId) =>
      quotaCounter(plan, keyId) ?? {
        planId: plan.id,
        keyId,
        limit: 0,
        offset: 0,
        period: 'DAY',
        initialPeriodStart: '',
      },
  )
  const report = await deps.usage.report(counters, from, to)
  return { usagePlanId: plan.id, startDate: from, endDate: to, values: Object.fromEntries(report) }
}

function readDay(value: string | null, name: string): string {
  if (value === null) throw badRequest(`${name} is required`)
  if (!isDay(value)) throw badRequest(`Invalid ${name}: ${value}. Dates are written YYYY-MM-DD`)
  return value
}

/** GetUsage and UpdateUsage (AWS API reference). */
export const usageRoutes: Route[] = [
  {
    method: 'GET',
    path: '/usageplans/{usageplan_id}/usage',
    handler: async (req, deps) => {
      const id = req.params['usageplan_id'] ?? ''
      const from = readDay(req.query.get('startDate'), 'startDate')
      const to = readDay(req.query.get('endDate'), 'endDate')
      if (to < from) throw badRequest('The endDate must not be before the startDate')
      // Capped so one call cannot make the report walk an unbounded range of days.
      if (daysBetween(from, to).length > 366) throw badRequest('The date range must not exceed one year')
      const keyId = req.query.get('keyId')
      const found = await deps.store.read(async (r) => {
        const plan = await r.get('usageplan', '', id)
        return plan ? { plan, members: await r.list('usageplankey', id) } : undefined
      })
      if (!found) throw planNotFound(id)
      const keyIds = found.members.map((m) => m.id).filter((k) => keyId === null || k === keyId)
      return { status: 200, body: await usageOf(deps, found.plan, keyIds, from, to) }
    },
  },
  {
    method: 'PATCH',
    path: '/usageplans/{usageplan_id}/keys/{key_id}/usage',
    handler: async (req, deps) => {
      const id = req.params['usageplan_id'] ?? ''
      const keyId = req.params['key_id'] ?? ''
      const operations = readPatchOperations(req.body, 'updateUsageInput')
      const found = await deps.store.read(async (r) => {
        const plan = await r.get('usageplan', '', id)
        return plan ? { plan, member: await r.get('usageplankey', id, keyId) } : undefined
      })
      if (!found) throw planNotFound(id)
      if (!found.member) throw notFound('Invalid Usage Plan Key identifier specified')
      const counter = quotaCounter(found.plan, keyId)
      // Check every operation before changing anything: a refused call changes nothing.
      const remaining = operations.map((op) => {
        if (op.path !== '/remaining' || op.op !== 'replace') throw invalidPatchPath(op, ['/remaining'])
        const value = Number(op.value)
        if (!Number.isInteger(value) || value < 0)
          throw badRequest(`Invalid remaining quota: ${op.value ?? 'null'}. Must be a non-negative integer`)
        return value
      })
      if (remaining.length > 0 && !counter)
        throw badRequest(`Usage plan ${id} has no quota: there is no remaining quota to change`)
      const today = utcDay(Date.now())
      const last = remaining.at(-1)
      if (counter && last !== undefined) await deps.usage.setRemaining(counter, today, last)
      return { status: 200, body: await usageOf(deps, found.plan, [keyId], today, today) }
    },
  },
]
