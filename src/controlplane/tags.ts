import type { ConfigReader, ConfigTx } from '../store/index.js'
import { badRequest, notFound } from './api-error.js'
import { saveApi } from './documents.js'
import type { Route } from './router.js'

/** `arn:aws:apigateway:{region}::/restapis/{id}` or `.../restapis/{id}/stages/{name}` (AWS's ARN formats). */
const ARN = /^arn:aws[\w-]*:apigateway:[^:]*::\/restapis\/([^/]+)(?:\/stages\/([^/]+))?$/

const invalidArn = (arn: string): Error => notFound(`Invalid resource identifier specified: ${arn}`)

/** AWS tag limits ("Tagging your API Gateway resources"): 50 tags, keys of 1-128 not starting `aws:`, values of 256 at most. */
const MAX_TAGS = 50

/** A taggable record found by ARN, with its tags and a way to store new ones. */
interface Tagged {
  tags: Record<string, string>
  save(tx: ConfigTx, tags: Record<string, string>): Promise<void>
}

async function findTagged(reader: ConfigReader, arn: string): Promise<Tagged> {
  const match = ARN.exec(arn)
  const apiId = match?.[1]
  if (apiId === undefined) throw invalidArn(arn)
  const stageName = match?.[2]
  if (stageName !== undefined) {
    const stage = await reader.get('stage', apiId, stageName)
    if (!stage) throw invalidArn(arn)
    return {
      tags: { ...stage.tags },
      save: (tx, tags) => tx.put('stage', apiId, stageName, { ...stage, tags }),
    }
  }
  const doc = await reader.get('restapi', '', apiId)
  if (!doc) throw invalidArn(arn)
  return {
    tags: { ...doc.api.tags },
    save: (tx, tags) => saveApi(tx, { ...doc, api: { ...doc.api, tags } }),
  }
}

/** Checks tags against AWS's limits; shared by TagResource and CreateStage. */
export function checkTags(tags: Record<string, string>): Record<string, string> {
  for (const [key, value] of Object.entries(tags)) {
    if (key.length === 0 || key.length > 128 || key.startsWith('aws:') || value.length > 256) {
      throw badRequest(`Invalid tag: ${key}`)
    }
  }
  if (Object.keys(tags).length > MAX_TAGS) throw badRequest(`A resource can have at most ${MAX_TAGS} tags`)
  return tags
}

/** Tags of REST APIs and stages, addressed by ARN: GetTags, TagResource, UntagResource on `/tags/{arn}`. */
export const tagRoutes: Route[] = [
  {
    method: 'GET',
    path: '/tags/{resource_arn}',
    handler: async (req, { store }) => {
      const { tags } = await store.read((r) => findTagged(r, req.params['resource_arn'] ?? ''))
      return { status: 200, body: { tags } }
    },
  },
  {
    method: 'PUT',
    path: '/tags/{resource_arn}',
    handler: async (req, { store }) => {
      const added = req.body.stringMap('tags')
      if (!added) throw badRequest('Tags must be provided')
      await store.transaction(async (tx) => {
        const resource = await findTagged(tx, req.params['resource_arn'] ?? '')
        await resource.save(tx, checkTags({ ...resource.tags, ...added }))
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
        const resource = await findTagged(tx, req.params['resource_arn'] ?? '')
        const tags = resource.tags
        for (const key of keys) delete tags[key]
        await resource.save(tx, tags)
      })
      return { status: 204 }
    },
  },
]
