import { newId, resourcePath, type Model, type RestApiDocument } from '../model/index.js'
import { badRequest, conflict, notFound } from './api-error.js'
import { apiNotFound, loadApi, saveApi } from './documents.js'
import { paginate } from './paging.js'
import { invalidPatchPath, readPatchOperations, unsupportedPatchOp } from './patch.js'
import type { Route } from './router.js'

const DRAFT_04 = 'http://json-schema.org/draft-04/schema#'

/** AWS creates `Empty` and `Error` with every API (recorded get-models of test_model_lifecycle). */
export function defaultModels(): Record<string, Model> {
  return {
    Empty: {
      id: newId(6),
      name: 'Empty',
      description: 'This is a default empty schema model',
      contentType: 'application/json',
      schema: JSON.stringify({ $schema: DRAFT_04, title: 'Empty Schema', type: 'object' }, null, 2),
    },
    Error: {
      id: newId(6),
      name: 'Error',
      description: 'This is a default error schema model',
      contentType: 'application/json',
      schema: JSON.stringify(
        {
          $schema: DRAFT_04,
          title: 'Error Schema',
          type: 'object',
          properties: { message: { type: 'string' } },
        },
        null,
        2,
      ),
    },
  }
}

const modelNotFound = (name: string): Error => notFound(`Invalid model name specified: ${name}`)

/**
 * A model schema must be JSON with properties or items (recorded: "Model schema must have at
 * least 1 property or array items defined"; the default Empty model is the exception AWS makes).
 */
function checkSchema(schema: string | undefined, contentType: string): void {
  const invalid = (): Error => badRequest('Model schema must have at least 1 property or array items defined')
  if (schema === undefined || schema.trim() === '') throw invalid()
  let parsed: unknown
  try {
    parsed = JSON.parse(schema)
  } catch {
    if (contentType === 'application/json')
      throw badRequest(
        'Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified: not JSON]',
      )
    throw invalid()
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid()
  const object = parsed as Record<string, unknown>
  const hasContent = ['properties', 'items', '$ref', 'allOf', 'anyOf', 'oneOf', 'enum', 'type'].some(
    (k) => k in object,
  )
  if (!hasContent || Object.keys(object).length === 0) throw invalid()
}

/** Where a model is used: "Cannot delete model 'X', is referenced in method request: /path/METHOD" (recorded). */
function modelReference(doc: RestApiDocument, name: string): string | undefined {
  for (const resource of Object.values(doc.resources)) {
    for (const [httpMethod, method] of Object.entries(resource.resourceMethods ?? {})) {
      if (Object.values(method.requestModels ?? {}).includes(name)) {
        return `method request: ${resourcePath(doc.resources, resource.id)}/${httpMethod}`
      }
      for (const response of Object.values(method.methodResponses ?? {})) {
        if (Object.values(response.responseModels ?? {}).includes(name)) {
          return `method response: ${resourcePath(doc.resources, resource.id)}/${httpMethod}`
        }
      }
    }
  }
  const ref = `/models/${name}`
  const referencing = Object.values(doc.models).find((m) => m.name !== name && m.schema?.includes(`${ref}"`))
  return referencing ? `model: ${referencing.name}` : undefined
}

/** Models of an API: `/restapis/{id}/models`. */
export const modelRoutes: Route[] = [
  {
    method: 'POST',
    path: '/restapis/{restapi_id}/models',
    handler: async (req, { store, config }) => {
      const name = req.body.string('name')
      const contentType = req.body.string('contentType') ?? 'application/json'
      const schema = req.body.string('schema')
      const description = req.body.string('description')
      const model = await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '')
        if (!name) throw badRequest('Model name must be non-empty')
        if (!/^[A-Za-z0-9]+$/.test(name)) throw badRequest('Model name must be alphanumeric')
        if (Object.hasOwn(doc.models, name)) throw conflict('Model name already exists for this REST API')
        checkSchema(schema, contentType)
        const created: Model = {
          id: newId(6),
          name,
          contentType,
          ...(description !== undefined ? { description } : {}),
          ...(schema !== undefined ? { schema } : {}),
        }
        doc.models[name] = created
        await saveApi(tx, doc)
        return created
      })
      return { status: 201, body: model }
    },
  },
  {
    method: 'GET',
    path: '/restapis/{restapi_id}/models',
    handler: async (req, { store, config }) => {
      const doc = await store.read((r) => loadApi(r, config, req.params['restapi_id'] ?? ''))
      const models = Object.values(doc.models).sort((a, b) => a.name.localeCompare(b.name))
      return { status: 200, body: paginate(models, req.query) }
    },
  },
  {
    method: 'GET',
    path: '/restapis/{restapi_id}/models/{model_name}',
    handler: async (req, { store, config }) => {
      const name = req.params['model_name'] ?? ''
      const doc = await store.read((r) =>
        loadApi(r, config, req.params['restapi_id'] ?? '', () => modelNotFound(name)),
      )
      const model = Object.hasOwn(doc.models, name) ? doc.models[name] : undefined
      if (!model) throw modelNotFound(name)
      return { status: 200, body: model }
    },
  },
  {
    method: 'PATCH',
    path: '/restapis/{restapi_id}/models/{model_name}',
    handler: async (req, { store, config }) => {
      const name = req.params['model_name'] ?? ''
      const operations = readPatchOperations(req.body, 'updateModelInput')
      const model = await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', () => modelNotFound(name))
        const current = Object.hasOwn(doc.models, name) ? doc.models[name] : undefined
        if (!current) throw modelNotFound(name)
        for (const op of operations) {
          if (op.op !== 'replace') throw unsupportedPatchOp(op)
          if (op.path === '/description') {
            if (op.value) current.description = op.value
            else delete current.description
          } else if (op.path === '/schema') {
            checkSchema(op.value, current.contentType)
            current.schema = op.value ?? ''
          } else throw invalidPatchPath(op, ['/description', '/schema'])
        }
        await saveApi(tx, doc)
        return current
      })
      return { status: 200, body: model }
    },
  },
  {
    method: 'DELETE',
    path: '/restapis/{restapi_id}/models/{model_name}',
    handler: async (req, { store, config }) => {
      const name = req.params['model_name'] ?? ''
      await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', () => modelNotFound(name))
        if (!Object.hasOwn(doc.models, name)) throw modelNotFound(name)
        const reference = modelReference(doc, name)
        if (reference) throw conflict(`Cannot delete model '${name}', is referenced in ${reference}`)
        delete doc.models[name]
        await saveApi(tx, doc)
      })
      return { status: 202 }
    },
  },
]

export { apiNotFound }
