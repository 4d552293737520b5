import { newId, type VpcLink } from '../model/index.js'
import { badRequest, notFound } from './api-error.js'
import { paginate } from './paging.js'
import { invalidPatchPath, readPatchOperations } from './patch.js'
import type { Route } from './router.js'

const linkNotFound = (): Error => notFound('Invalid Vpc Link identifier specified')

/**
 * VPC links (AWS API reference: CreateVpcLink, ...). On AWS a link reaches a network load
 * balancer; in Tollgate each target ARN names a set of backends in the configuration
 * (`--vpc-link-targets`), balanced and health-checked by the data plane. A link is AVAILABLE at
 * once; AWS answers CreateVpcLink with 202.
 */
export const vpcLinkRoutes: Route[] = [
  {
    method: 'POST',
    path: '/vpclinks',
    handler: async (req, { store }) => {
      const name = req.body.string('name')
      const targetArns = req.body.stringList('targetArns') ?? []
      if (!name) throw badRequest('VPC link name must be non-empty')
      if (targetArns.length !== 1) throw badRequest('A VPC link for a REST API takes exactly one target ARN')
      const description = req.body.string('description')
      const tags = req.body.stringMap('tags')
      const link: VpcLink = {
        id: newId(6),
        name,
        targetArns,
        status: 'AVAILABLE',
        statusMessage: 'Your vpc link is ready for use',
        ...(description !== undefined ? { description } : {}),
        ...(tags ? { tags } : {}),
      }
      await store.transaction((tx) => tx.put('vpclink', '', link.id, link))
      return { status: 202, body: link }
    },
  },
  {
    method: 'GET',
    path: '/vpclinks',
    handler: async (req, { store }) => ({
      status: 200,
      body: paginate(await store.read((r) => r.list('vpclink', '')), req.query),
    }),
  },
  {
    method: 'GET',
    path: '/vpclinks/{vpclink_id}',
    handler: async (req, { store }) => {
      const link = await store.read((r) => r.get('vpclink', '', req.params['vpclink_id'] ?? ''))
      if (!link) throw linkNotFound()
      return { status: 200, body: link }
    },
  },
  {
    method: 'PATCH',
    path: '/vpclinks/{vpclink_id}',
    handler: async (req, { store }) => {
      const operations = readPatchOperations(req.body, 'updateVpcLinkInput')
      const link = await store.transaction(async (tx) => {
        const current = await tx.get('vpclink', '', req.params['vpclink_id'] ?? '')
        if (!current) throw linkNotFound()
        for (const op of operations) {
          if (op.path === '/name' && op.value) current.name = op.value
          else if (op.path === '/description') current.description = op.value ?? ''
          else throw invalidPatchPath(op, ['/name', '/description'])
        }
        await tx.put('vpclink', '', current.id, current)
        return current
      })
      return { status: 200, body: link }
    },
  },
  {
    method: 'DELETE',
    path: '/vpclinks/{vpclink_id}',
    handler: async (req, { store }) => {
      const removed = await store.transaction((tx) =>
        tx.delete('vpclink', '', req.params['vpclink_id'] ?? ''),
      )
      if (!removed) throw linkNotFound()
      return { status: 202 }
    },
  },
]
