import {
  newId,
  type ApiStage,
  type QuotaSettings,
  type ThrottleSettings,
  type UsagePlan,
} from '../model/index.js'
import type { ConfigTx } from '../store/index.js'
import { badRequest, conflict, notFound } from './api-error.js'
import type { Input } from './input.js'
import { paginate } from './paging.js'
import {
  invalidPatchOperation,
  invalidPatchPath,
  patchPathSegments,
  readPatchOperations,
  type PatchOperation,
} from './patch.js'
import type { Route } from './router.js'
import { utcDay } from '../quota/periods.js'

const planNotFound = (id: string): Error => notFound(`Invalid Usage Plan ID specified: ${id}`)

/** A plan as clients see it: the AWS shape, without Tollgate's bookkeeping. */
export function planView(plan: UsagePlan): Omit<UsagePlan, 'quotaSince'> {
  const { quotaSince: _, ...view } = plan
  return view
}
const PERIODS = ['DAY', 'WEEK', 'MONTH'] as const

function readThrottle(input: Input | undefined): ThrottleSettings | undefined {
  if (!input) return undefined
  const burstLimit = input.integer('burstLimit')
  const rateLimit = input.number('rateLimit')
  return {
    ...(burstLimit !== undefined ? { burstLimit } : {}),
    ...(rateLimit !== undefined ? { rateLimit } : {}),
  }
}

/**
 * A quota: `offset` is the number of requests subtracted from the limit in the first period (the
 * API reference's definition; CloudFormation's page calls it a start day — see docs/usage-plans.md).
 */
function readQuota(input: Input | undefined): QuotaSettings | undefined {
  if (!input) return undefined
  const limit = input.integer('limit')
  const period = input.string('period')
  if (limit === undefined || limit < 0) throw badRequest('Quota limit must be a non-negative integer')
  if (!PERIODS.includes(period as QuotaSettings['period']))
    throw badRequest(`Invalid quota period: ${period ?? 'null'}. Must be one of: [DAY, WEEK, MONTH]`)
  const offset = input.integer('offset') ?? 0
  if (offset < 0 || offset >= limit)
    throw badRequest('Quota offset must be at least 0 and less than the limit')
  return { limit, offset, period: period as QuotaSettings['period'] }
}

/** Every API stage of a plan must exist: "Invalid API Stage {api: X, stage: Y} specified for usageplan Z" (recorded). */
async function checkApiStages(tx: ConfigTx, planId: string, stages: readonly ApiStage[]): Promise<void> {
  for (const stage of stages) {
    if (!(await tx.get('stage', stage.apiId, stage.stage))) {
      throw badRequest(
        `Invalid API Stage {api: ${stage.apiId}, stage: ${stage.stage}} specified for usageplan ${planId}`,
      )
    }
  }
}

function readApiStages(body: Input): ApiStage[] {
  const raw = body.raw['apiStages']
  if (!Array.isArray(raw)) return []
  return raw.map((item) => {
    const entry =
      item !== null && typeof item === 'object' && !Array.isArray(item)
        ? (item as Record<string, unknown>)
        : {}
    const apiId = typeof entry['apiId'] === 'string' ? entry['apiId'] : ''
    const stage = typeof entry['stage'] === 'string' ? entry['stage'] : ''
    const throttle =
      entry['throttle'] !== null && typeof entry['throttle'] === 'object'
        ? (entry['throttle'] as Record<string, ThrottleSettings>)
        : undefined
    return { apiId, stage, ...(throttle ? { throttle } : {}) }
  })
}

/** One UpdateUsagePlan operation (AWS API reference: /name, /description, /apiStages, /throttle/*, /quota/*). */
function applyPlanPatch(plan: UsagePlan, op: PatchOperation): void {
  const [field, ...rest] = patchPathSegments(op.path)
  const value = op.value ?? ''
  switch (field) {
    case 'name':
    case 'description':
    case 'productCode':
      if (op.op !== 'replace') throw invalidPatchOperation(['replace'])
      if (value) plan[field] = value
      else if (field === 'name') throw badRequest('Usage plan name must be non-empty')
      else delete plan[field]
      return
    case 'apiStages': {
      if (rest.length === 0) {
        const [apiId = '', stage = ''] = value.split(':')
        if (op.op === 'add') {
          if (!plan.apiStages.some((s) => s.apiId === apiId && s.stage === stage))
            plan.apiStages.push({ apiId, stage })
        } else if (op.op === 'remove')
          plan.apiStages = plan.apiStages.filter((s) => !(s.apiId === apiId && s.stage === stage))
        else throw invalidPatchOperation(['add', 'remove'])
        return
      }
      // /apiStages/{apiId}:{stage}/throttle/{resourcePath}/{method}/{rateLimit|burstLimit}
      const [key = '', , ...methodPath] = rest
      const [apiId = '', stage = ''] = key.split(':')
      const apiStage = plan.apiStages.find((s) => s.apiId === apiId && s.stage === stage)
      if (!apiStage) throw notFound(`Invalid API Stage {api: ${apiId}, stage: ${stage}}`)
      // A remove names the method (`.../throttle/~1pets/GET`); a replace names a setting of it.
      const setting = op.op === 'remove' ? undefined : methodPath.pop()
      // `~1pets/GET` (AWS's escaped form) and `pets/GET` both name the key `/pets/GET`.
      const joined = methodPath.join('/')
      const methodKey = joined.startsWith('/') ? joined : `/${joined}`
      if (op.op === 'remove') {
        if (apiStage.throttle) delete apiStage.throttle[methodKey]
        return
      }
      if (setting !== 'rateLimit' && setting !== 'burstLimit')
        throw invalidPatchPath(op, ['/apiStages/{apiId}:{stage}/throttle/{path}/{method}/rateLimit'])
      apiStage.throttle = {
        ...apiStage.throttle,
        [methodKey]: { ...apiStage.throttle?.[methodKey], [setting]: Number(value) },
      }
      return
    }
    case 'throttle': {
      const setting = rest[0]
      if (op.op === 'remove' && setting === undefined) {
        delete plan.throttle
        return
      }
      if (setting !== 'rateLimit' && setting !== 'burstLimit')
        throw invalidPatchPath(op, ['/throttle/rateLimit', '/throttle/burstLimit'])
      plan.throttle = { ...plan.throttle, [setting]: Number(value) }
      return
    }
    case 'quota': {
      const setting = rest[0]
      if (op.op === 'remove' && setting === undefined) {
        delete plan.quota
        delete plan.quotaSince
        return
      }
      const quota: QuotaSettings = { limit: 0, offset: 0, period: 'DAY', ...plan.quota }
      if (setting === 'limit' || setting === 'offset') quota[setting] = Number(value)
      else if (setting === 'period' && PERIODS.includes(value as QuotaSettings['period']))
        quota.period = value as QuotaSettings['period']
      else throw invalidPatchPath(op, ['/quota/limit', '/quota/offset', '/quota/period'])
      if (!plan.quota || plan.quota.period !== quota.period) plan.quotaSince = utcDay(Date.now())
      plan.quota = quota
      return
    }
    default:
      throw invalidPatchPath(op, [
        '/name',
        '/description',
        '/productCode',
        '/apiStages',
        '/throttle/rateLimit',
        '/throttle/burstLimit',
        '/quota/limit',
        '/quota/offset',
        '/quota/period',
      ])
  }
}

/** Usage plans and their keys: `/usageplans`. */
export const usagePlanRoutes: Route[] = [
  {
    method: 'POST',
    path: '/usageplans',
    handler: async (req, { store }) => {
      const name = req.body.string('name')
      if (!name) throw badRequest('Usage plan name must be non-empty')
      const throttle = readThrottle(req.body.object('throttle'))
      const quota = readQuota(req.body.object('quota'))
      const description = req.body.string('description')
      const tags = req.body.stringMap('tags')
      const plan: UsagePlan = {
        id: newId(6),
        name,
        apiStages: readApiStages(req.body),
        ...(description !== undefined ? { description } : {}),
        ...(throttle ? { throttle } : {}),
        ...(quota ? { quota, quotaSince: utcDay(Date.now()) } : {}),
        ...(tags ? { tags } : {}),
      }
      await store.transaction(async (tx) => {
        await checkApiStages(tx, plan.id, plan.apiStages)
        await tx.put('usageplan', '', plan.id, plan)
      })
      return { status: 201, body: planView(plan) }
    },
  },
  {
    method: 'GET',
    path: '/usageplans',
    handler: async (req, { store }) => {
      const plans = await store.read(async (r) => {
        const all = await r.list('usageplan', '')
        const keyId = req.query.get('keyId')
        if (keyId === null) return all
        const withKey: UsagePlan[] = []
        for (const plan of all) if (await r.get('usageplankey', plan.id, keyId)) withKey.push(plan)
        return withKey
      })
      return { status: 200, body: paginate(plans.map(planView), req.query) }
    },
  },
  {
    method: 'GET',
    path: '/usageplans/{usageplan_id}',
    handler: async (req, { store }) => {
      const id = req.params['usageplan_id'] ?? ''
      const plan = await store.read((r) => r.get('usageplan', '', id))
      if (!plan) throw planNotFound(id)
      return { status: 200, body: planView(plan) }
    },
  },
  {
    method: 'PATCH',
    path: '/usageplans/{usageplan_id}',
    handler: async (req, { store }) => {
      const id = req.params['usageplan_id'] ?? ''
      const operations = readPatchOperations(req.body, 'updateUsagePlanInput')
      const plan = await store.transaction(async (tx) => {
        const current = await tx.get('usageplan', '', id)
        if (!current) throw planNotFound(id)
        for (const op of operations) applyPlanPatch(current, op)
        await checkApiStages(tx, id, current.apiStages)
        await tx.put('usageplan', '', id, current)
        return current
      })
      return { status: 200, body: planView(plan) }
    },
  },
  {
    method: 'DELETE',
    path: '/usageplans/{usageplan_id}',
    handler: async (req, { store }) => {
      const id = req.params['usageplan_id'] ?? ''
      await store.transaction(async (tx) => {
        if (!(await tx.delete('usageplan', '', id))) throw planNotFound(id)
        await tx.deleteScope(id)
      })
      return { status: 202 }
    },
  },
  {
    method: 'POST',
    path: '/usageplans/{usageplan_id}/keys',
    handler: async (req, { store }) => {
      const planId = req.params['usageplan_id'] ?? ''
      const keyId = req.body.string('keyId') ?? ''
      if (req.body.string('keyType') !== 'API_KEY') throw badRequest('Invalid keyType: must be API_KEY')
      const key = await store.transaction(async (tx) => {
        if (!(await tx.get('usageplan', '', planId))) throw planNotFound(planId)
        const found = await tx.get('apikey', '', keyId)
        if (!found) throw notFound('Invalid API Key identifier specified')
        if (await tx.get('usageplankey', planId, keyId))
          throw conflict('Usage Plan already contains specified API Key')
        await tx.put('usageplankey', planId, keyId, { id: keyId, type: 'API_KEY' })
        return found
      })
      return {
        status: 201,
        body: { id: key.id, type: 'API_KEY', value: key.value, ...(key.name ? { name: key.name } : {}) },
      }
    },
  },
  {
    method: 'GET',
    path: '/usageplans/{usageplan_id}/keys',
    handler: async (req, { store }) => {
      const planId = req.params['usageplan_id'] ?? ''
      const nameQuery = req.query.get('name')
      const keys = await store.read(async (r) => {
        const members = await r.list('usageplankey', planId)
        const out = []
        for (const member of members) {
          const key = await r.get('apikey', '', member.id)
          if (key && (nameQuery === null || (key.name ?? '').startsWith(nameQuery))) {
            out.push({
              id: key.id,
              type: 'API_KEY',
              value: key.value,
              ...(key.name ? { name: key.name } : {}),
            })
          }
        }
        return out.reverse()
      })
      return { status: 200, body: paginate(keys, req.query) }
    },
  },
  {
    method: 'GET',
    path: '/usageplans/{usageplan_id}/keys/{key_id}',
    handler: async (req, { store }) => {
      const planId = req.params['usageplan_id'] ?? ''
      const keyId = req.params['key_id'] ?? ''
      const key = await store.read(async (r) =>
        (await r.get('usageplankey', planId, keyId)) ? r.get('apikey', '', keyId) : undefined,
      )
      if (!key) throw notFound('Invalid Usage Plan Key identifier specified')
      return {
        status: 200,
        body: { id: key.id, type: 'API_KEY', value: key.value, ...(key.name ? { name: key.name } : {}) },
      }
    },
  },
  {
    method: 'DELETE',
    path: '/usageplans/{usageplan_id}/keys/{key_id}',
    handler: async (req, { store }) => {
      const removed = await store.transaction((tx) =>
        tx.delete('usageplankey', req.params['usageplan_id'] ?? '', req.params['key_id'] ?? ''),
      )
      if (!removed) throw notFound('Invalid Usage Plan Key identifier specified')
      return { status: 202 }
    },
  },
]
