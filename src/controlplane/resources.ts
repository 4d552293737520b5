import {
  childIds,
  isGreedyPathVariable,
  isPathVariable,
  newId,
  resourcePath,
  resourcesInTreeOrder,
  subtreeIds,
  type Resource,
  type ResourceRecord,
  type RestApiDocument,
} from '../model/index.js'
import { badRequest, conflict, notFound } from './api-error.js'
import { loadApi, saveApi } from './documents.js'
import { paginate } from './paging.js'
import { invalidPatchPath, readPatchOperations, unsupportedPatchOp } from './patch.js'
import type { Route } from './router.js'

export const resourceNotFound = (): Error => notFound('Invalid Resource identifier specified')

/** Loads a resource of a document; an unknown API or resource both answer "Invalid Resource identifier specified". */
export function findResource(doc: RestApiDocument, resourceId: string): ResourceRecord {
  const resource = doc.resources[resourceId]
  if (!resource) throw resourceNotFound()
  return resource
}

/** The Resource shape returned to clients; methods are summarised unless `embed=methods`. */
export function renderResource(
  doc: RestApiDocument,
  record: ResourceRecord,
  embedMethods: boolean,
): Resource {
  const { resourceMethods, ...rest } = record
  const rendered: Resource = { ...rest, path: resourcePath(doc.resources, record.id) }
  if (resourceMethods && Object.keys(resourceMethods).length > 0) {
    rendered.resourceMethods = embedMethods
      ? resourceMethods
      : Object.fromEntries(Object.keys(resourceMethods).map((m) => [m, {}]))
  }
  return rendered
}

const embedsMethods = (query: URLSearchParams): boolean => query.getAll('embed').includes('methods')

/** Resources of a REST API: `/restapis/{id}/resources`. */
export const resourceRoutes: Route[] = [
  {
    method: 'GET',
    path: '/restapis/{restapi_id}/resources',
    handler: async (req, { store, config }) => {
      const doc = await store.read((r) => loadApi(r, config, req.params['restapi_id'] ?? ''))
      const embed = embedsMethods(req.query)
      const items = resourcesInTreeOrder(doc.resources).map((r) => renderResource(doc, r, embed))
      return { status: 200, body: paginate(items, req.query) }
    },
  },
  {
    method: 'GET',
    path: '/restapis/{restapi_id}/resources/{resource_id}',
    handler: async (req, { store, config }) => {
      const doc = await store.read((r) =>
        loadApi(r, config, req.params['restapi_id'] ?? '', resourceNotFound),
      )
      const resource = findResource(doc, req.params['resource_id'] ?? '')
      return { status: 200, body: renderResource(doc, resource, embedsMethods(req.query)) }
    },
  },
  {
    method: 'POST',
    path: '/restapis/{restapi_id}/resources/{parent_id}',
    handler: async (req, { store, config }) => {
      const pathPart = req.body.string('pathPart')
      const created = await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '')
        const parent = findResource(doc, req.params['parent_id'] ?? '')
        if (pathPart === undefined) throw badRequest('Invalid resource path part: must be non-empty')
        checkPathPart(doc, parent.id, pathPart, undefined)
        const resource: ResourceRecord = { id: newId(6), parentId: parent.id, pathPart }
        doc.resources[resource.id] = resource
        await saveApi(tx, doc)
        return renderResource(doc, resource, false)
      })
      return { status: 201, body: created }
    },
  },
  {
    method: 'PATCH',
    path: '/restapis/{restapi_id}/resources/{resource_id}',
    handler: async (req, { store, config }) => {
      const operations = readPatchOperations(req.body, 'updateResourceInput')
      const updated = await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', resourceNotFound)
        const resource = findResource(doc, req.params['resource_id'] ?? '')
        for (const op of operations) {
          if (op.path !== '/pathPart' && op.path !== '/parentId')
            throw invalidPatchPath(op, ['/parentId', '/pathPart'])
          if (op.op !== 'replace') throw unsupportedPatchOp(op)
          if (resource.parentId === undefined) {
            throw badRequest(`Root resource cannot update its ${op.path.slice(1)}.`)
          }
          const value = op.value ?? ''
          if (op.path === '/pathPart') {
            checkPathPart(doc, resource.parentId, value, resource.id)
            resource.pathPart = value
          } else {
            const parent = findResource(doc, value)
            if (subtreeIds(doc.resources, resource.id).includes(parent.id)) {
              throw badRequest('Resources cannot be cyclical.')
            }
            checkPathPart(doc, parent.id, resource.pathPart ?? '', resource.id)
            resource.parentId = parent.id
          }
        }
        await saveApi(tx, doc)
        return renderResource(doc, resource, false)
      })
      return { status: 200, body: updated }
    },
  },
  {
    method: 'DELETE',
    path: '/restapis/{restapi_id}/resources/{resource_id}',
    handler: async (req, { store, config }) => {
      await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', resourceNotFound)
        const resource = findResource(doc, req.params['resource_id'] ?? '')
        if (resource.parentId === undefined) throw badRequest('Cannot delete the root resource.')
        for (const id of subtreeIds(doc.resources, resource.id)) delete doc.resources[id]
        await saveApi(tx, doc)
      })
      return { status: 202 }
    },
  },
]

/**
 * AWS's rules for a path part under a parent (messages recorded in
 * test_apigateway_api.snapshot.json, test_create_proxy_resource_validation and
 * test_update_resource_behaviour): letters, digits and `-._:~@!$&'()*+,;=` or one `{var}` /
 * `{var+}`; unique among siblings; one variable sibling at most; nothing under a greedy variable.
 */
function checkPathPart(
  doc: RestApiDocument,
  parentId: string,
  pathPart: string,
  selfId: string | undefined,
): void {
  const isVariable = isPathVariable(pathPart)
  if (
    pathPart === '' ||
    pathPart.length > 512 ||
    (!isVariable && !/^[A-Za-z0-9._\-:~@!$&'()*+,;=]+$/.test(pathPart)) ||
    (isVariable && !/^\{[A-Za-z0-9._-]+\+?\}$/.test(pathPart))
  ) {
    throw badRequest(
      `Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.`,
    )
  }
  const parent = doc.resources[parentId]
  if (parent?.pathPart !== undefined && isGreedyPathVariable(parent.pathPart)) {
    throw badRequest(`Cannot create a child of a resource with a greedy path variable: ${parent.pathPart}`)
  }
  const siblings = childIds(doc.resources, parentId)
    .filter((id) => id !== selfId)
    .map((id) => doc.resources[id] as ResourceRecord)
  if (siblings.some((s) => s.pathPart === pathPart)) {
    throw conflict(`Another resource with the same parent already has this name: ${pathPart}`)
  }
  const variableSibling = siblings.find((s) => s.pathPart !== undefined && isPathVariable(s.pathPart))
  if (isVariable && variableSibling) {
    throw badRequest(
      `A sibling (${variableSibling.pathPart ?? ''}) of this resource already has a variable path part -- only one is allowed`,
    )
  }
}
