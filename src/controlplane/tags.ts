import type { ConfigTx } from '../store/index.js'
import { badRequest, notFound } from './api-error.js'
import { saveApi } from './documents.js'
import type { Route } from './router.js'

/** `arn:aws:apigateway:{region}::/restapis/{id}` or `.../restapis/{id}/stages/{name}`. */
const ARN = /^arn:aws[\w-]*:apigateway:([^:]*)::\/restapis\/([^/]+)(?:\/stages\/([^/]+))?$/

const invalidArn = (arn: string): Error => notFound(`Invalid resource identifier specified: ${arn}`)

interface Tagged {
  read(): Record<string, string>
  write(tags: Record<string, string>): Promise<void>
}

async function taggedResource(tx: ConfigTx, arn: string): Promise<Tagged> {
  const match = ARN.exec(arn)
  if (!match?.[2]) throw invalidArn(arn)
  const apiId = match[2]
  const stageName = match[3]
  if (stageName !== undefined) {
    const stage = await tx.get('stage', apiId, stageName)
    if (!stage) throw invalidArn(arn)
    return {
      read: () => ({ ...stage.tags }),
      write: (tags) => tx.put('stage', apiId, stageName, { ...stage, tags }),
    }
  }
  const doc = await tx.get('restapi', '', apiId)
  if (!doc) throw invalidArn(arn)
  return {
    read: () => ({ ...doc.api.tags }),
    write: (tags) => saveApi(tx, { ...doc, api: { ...doc.api, tags } }),
  }
}

/** Tags of APIs and stages, addressed by ARN: `/tags/{resource_arn}`. */
export const tagRoutes: Route[] = [
  {
    method: 'GET',
    path: '/tags/{resource_arn}',
    handler: async (req, { store }) => {
      const tags = await store.transaction(async (tx) =>
        (await taggedResource(tx, req.params['resource_arn'] ?? '')).read(),
      )
      return { status: 200, body: { tags } }
    },
  },
  {
    method: 'PUT',
    path: '/tags/{resource_arn}',
    handler: async (req, { store }) => {
      const add = req.body.stringMap('tags')
      if (!add) throw badRequest('Tags must be provided')
      for (const [key, value] of Object.entries(add)) {
        // AWS tag limits: key 1-128 characters not starting with aws:, value up to 256.
        if (key.length === 0 || key.length > 128 || key.startsWith('aws:') || value.length > 256) {
          throw badRequest(`Invalid tag: ${key}`)
        }
      }
      await store.transaction(async (tx) => {
        const resource = await taggedResource(tx, req.params['resource_arn'] ?? '')
        const tags = { ...resource.read(), ...add }
        if (Object.keys(tags).length > 50) throw badRequest('A resource can have at most 50 tags')
        await resource.write(tags)
      })
      return { status: 204 }
    },
  },
  {
    method: 'DELETE',
    path: '/tags/{resource_arn}',
    handler: async (req, { store }) => {
      const keys = req.query.getAll('tagKeys')
      await store.transaction(async (tx) => {
        const resource = await taggedResource(tx, req.params['resource_arn'] ?? '')
        const tags = resource.read()
        for (const key of keys) delete tags[key]
        await resource.write(tags)
      })
      return { status: 204 }
    },
  },
]
