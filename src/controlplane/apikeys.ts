import { randomBytes } from 'node:crypto'
import { newId, nowEpochSeconds, type ApiKey } from '../model/index.js'
import { badRequest, notFound } from './api-error.js'
import type { Input } from './input.js'
import { parseJsonBody } from './http.js'
import { paginate } from './paging.js'
import { invalidPatchPath, readPatchOperations, unsupportedPatchOp } from './patch.js'
import type { Route } from './router.js'

const keyNotFound = (): Error => notFound('Invalid API Key identifier specified')
const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** A generated key value: 40 characters, as AWS generates them. */
function generateValue(): string {
  return [...randomBytes(40)].map((byte) => KEY_ALPHABET.charAt(byte % KEY_ALPHABET.length)).join('')
}

/** Checks name, description and value as AWS does (messages recorded in test_apigateway_extended). */
function checkKeyFields(
  name: string | undefined,
  description: string | undefined,
  value: string | undefined,
): void {
  if (name !== undefined && name.length > 1024)
    throw badRequest('Invalid API Key name, can be at most 1024 characters.')
  if (description !== undefined && description.length > 125)
    throw badRequest('Invalid API Key description specified.')
  if (value !== undefined && value !== '') {
    if (value.length < 20) throw badRequest('API Key value should be at least 20 characters')
    if (value.length > 128) throw badRequest('API Key value exceeds maximum size of 128 characters')
  }
}

function newKey(body: {
  name?: string | undefined
  description?: string | undefined
  value?: string | undefined
  enabled?: boolean | undefined
  customerId?: string | undefined
  tags?: Record<string, string> | undefined
}): ApiKey {
  checkKeyFields(body.name, body.description, body.value)
  const now = nowEpochSeconds()
  return {
    id: newId(10),
    value: body.value ? body.value : generateValue(),
    // AWS creates keys disabled unless told otherwise (recorded create-api-key: "enabled": false).
    enabled: body.enabled ?? false,
    createdDate: now,
    lastUpdatedDate: now,
    stageKeys: [],
    ...(body.name ? { name: body.name } : {}),
    ...(body.description ? { description: body.description } : {}),
    ...(body.customerId ? { customerId: body.customerId } : {}),
    ...(body.tags ? { tags: body.tags } : {}),
  }
}

function readCreate(body: Input): ApiKey {
  return newKey({
    name: body.string('name'),
    description: body.string('description'),
    value: body.string('value'),
    enabled: body.boolean('enabled'),
    customerId: body.string('customerId'),
    tags: body.stringMap('tags'),
  })
}

/** Without `includeValue(s)`, AWS leaves the value out. */
const render = (key: ApiKey, includeValue: boolean): Partial<ApiKey> => {
  const { value, ...rest } = key
  return includeValue ? { ...rest, value } : rest
}

/**
 * Parses AWS's API key CSV (AWS docs "api-key-file-format"): a header row naming `Name`, `Key`,
 * `Description`, `Enabled`, `UsagePlanIds` (any order, any case), then one key a row.
 */
export function parseKeyCsv(text: string): { keys: ApiKey[]; planIds: string[][]; warnings: string[] } {
  const rows = text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map((line) => line.split(',').map((cell) => cell.trim()))
  const header = (rows.shift() ?? []).map((h) => h.toLowerCase())
  const column = (name: string): number => header.indexOf(name)
  if (column('key') < 0) throw badRequest('Invalid API key file: the header must name a Key column')
  const keys: ApiKey[] = []
  const planIds: string[][] = []
  const warnings: string[] = []
  rows.forEach((row, index) => {
    const cell = (name: string): string | undefined => (column(name) >= 0 ? row[column(name)] : undefined)
    try {
      keys.push(
        newKey({
          name: cell('name'),
          value: cell('key'),
          description: cell('description'),
          enabled: cell('enabled')?.toLowerCase() === 'true',
        }),
      )
      planIds.push((cell('usageplanids') ?? '').split(/[;:]/).filter(Boolean))
    } catch (error) {
      warnings.push(`Line ${index + 2}: ${(error as Error).message}`)
    }
  })
  return { keys, planIds, warnings }
}

/** API keys: `/apikeys`. */
export const apiKeyRoutes: Route[] = [
  {
    method: 'POST',
    path: '/apikeys',
    rawBody: true,
    handler: async (req, { store }) => {
      if (req.query.get('mode') === 'import') {
        if ((req.query.get('format') ?? 'csv') !== 'csv') throw badRequest('Only the csv format is supported')
        const { keys, planIds, warnings } = parseKeyCsv(req.rawBody.toString('utf8'))
        if (req.query.get('failonwarnings') === 'true' && warnings.length)
          throw badRequest(warnings.join('; '))
        await store.transaction(async (tx) => {
          for (const [i, key] of keys.entries()) {
            await tx.put('apikey', '', key.id, key)
            for (const planId of planIds[i] ?? []) {
              if (!(await tx.get('usageplan', '', planId)))
                throw notFound(`Invalid Usage Plan ID specified: ${planId}`)
              await tx.put('usageplankey', planId, key.id, { id: key.id, type: 'API_KEY' })
            }
          }
        })
        return { status: 201, body: { ids: keys.map((k) => k.id), warnings } }
      }
      const key = readCreate(parseJsonBody(req.rawBody))
      await store.transaction((tx) => tx.put('apikey', '', key.id, key))
      return { status: 201, body: key }
    },
  },
  {
    method: 'GET',
    path: '/apikeys',
    handler: async (req, { store }) => {
      const keys = await store.read((r) => r.list('apikey', ''))
      const nameQuery = req.query.get('name')
      const customerId = req.query.get('customerId')
      const includeValues = req.query.get('includeValues') === 'true'
      // Recorded (test_get_api_keys): nameQuery is a case-sensitive prefix; newest keys first.
      const items = keys
        .filter(
          (k) =>
            (nameQuery === null || (k.name ?? '').startsWith(nameQuery)) &&
            (customerId === null || k.customerId === customerId),
        )
        .reverse()
        .map((k) => render(k, includeValues))
      return { status: 200, body: paginate(items, req.query) }
    },
  },
  {
    method: 'GET',
    path: '/apikeys/{api_key}',
    handler: async (req, { store }) => {
      const key = await store.read((r) => r.get('apikey', '', req.params['api_key'] ?? ''))
      if (!key) throw keyNotFound()
      return { status: 200, body: render(key, req.query.get('includeValue') === 'true') }
    },
  },
  {
    method: 'PATCH',
    path: '/apikeys/{api_key}',
    handler: async (req, { store }) => {
      const operations = readPatchOperations(req.body, 'updateApiKeyInput')
      const key = await store.transaction(async (tx) => {
        const current = await tx.get('apikey', '', req.params['api_key'] ?? '')
        if (!current) throw keyNotFound()
        const allowed = ['/description', '/enabled', '/name', '/customerId']
        for (const op of operations) {
          if (!allowed.includes(op.path)) throw invalidPatchPath(op, allowed)
          if (op.op !== 'replace') throw unsupportedPatchOp(op)
          const value = op.value ?? ''
          if (op.path === '/enabled') current.enabled = value === 'true'
          else {
            const field = op.path.slice(1) as 'description' | 'name' | 'customerId'
            checkKeyFields(
              field === 'name' ? value : undefined,
              field === 'description' ? value : undefined,
              undefined,
            )
            if (value) current[field] = value
            else delete current[field]
          }
        }
        current.lastUpdatedDate = nowEpochSeconds()
        await tx.put('apikey', '', current.id, current)
        return current
      })
      return { status: 200, body: { ...render(key, false), tags: key.tags ?? {} } }
    },
  },
  {
    method: 'DELETE',
    path: '/apikeys/{api_key}',
    handler: async (req, { store }) => {
      const id = req.params['api_key'] ?? ''
      await store.transaction(async (tx) => {
        if (!(await tx.delete('apikey', '', id))) throw keyNotFound()
        for (const plan of await tx.list('usageplan', '')) await tx.delete('usageplankey', plan.id, id)
      })
      return { status: 202 }
    },
  },
]
