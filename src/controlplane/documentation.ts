import {
  DOCUMENTATION_LOCATION_TYPES,
  newId,
  nowEpochSeconds,
  type DocumentationPart,
  type DocumentationVersion,
  type RestApiDocument,
} from '../model/index.js'
import { badRequest, conflict, notFound } from './api-error.js'
import { loadApi, saveApi } from './documents.js'
import type { Input } from './input.js'
import { parseOpenApi } from './openapi/document.js'
import { paginate } from './paging.js'
import { invalidPatchPath, readPatchOperations, unsupportedPatchOp } from './patch.js'
import type { Route } from './router.js'
import { ValidationErrors } from './validation.js'

const partNotFound = (): Error => notFound('Invalid Documentation part identifier specified')
const versionNotFound = (): Error => notFound('Invalid Documentation version identifier specified')

/** The part as the API returns it: `properties` is JSON text on the wire too. */
const render = (part: DocumentationPart): DocumentationPart => part

function readLocation(body: Input | undefined, inputName: string): DocumentationPart['location'] {
  const type = body?.string('type')
  const errors = new ValidationErrors()
  errors.enumValue(type ?? 'null', `${inputName}.location.type`, DOCUMENTATION_LOCATION_TYPES)
  errors.throwIfAny()
  const path = body?.string('path')
  const method = body?.string('method')
  const statusCode = body?.string('statusCode')
  const name = body?.string('name')
  return {
    type: type as DocumentationPart['location']['type'],
    ...(path !== undefined ? { path } : {}),
    ...(method !== undefined ? { method } : {}),
    ...(statusCode !== undefined ? { statusCode } : {}),
    ...(name !== undefined ? { name } : {}),
  }
}

function checkProperties(properties: string | undefined): string {
  if (properties === undefined) throw badRequest('Documentation part properties must be provided')
  try {
    JSON.parse(properties)
  } catch {
    throw badRequest('Documentation part properties must be a valid JSON string')
  }
  return properties
}

const sameLocation = (a: DocumentationPart['location'], b: DocumentationPart['location']): boolean =>
  a.type === b.type &&
  a.path === b.path &&
  a.method === b.method &&
  a.statusCode === b.statusCode &&
  a.name === b.name

/** The documentation parts an OpenAPI document carries (`x-amazon-apigateway-documentation`). */
export function documentationPartsOf(source: Record<string, unknown>): DocumentationPart[] {
  const extension = source['x-amazon-apigateway-documentation'] as
    { documentationParts?: unknown } | undefined
  const parts = Array.isArray(extension?.documentationParts) ? extension.documentationParts : []
  return parts.flatMap((raw: unknown) => {
    const entry = (raw ?? {}) as { location?: DocumentationPart['location']; properties?: unknown }
    if (
      !entry.location?.type ||
      !(DOCUMENTATION_LOCATION_TYPES as readonly string[]).includes(entry.location.type)
    )
      return []
    return [{ id: newId(6), location: entry.location, properties: JSON.stringify(entry.properties ?? {}) }]
  })
}

function parts(doc: RestApiDocument): Record<string, DocumentationPart> {
  doc.documentationParts ??= {}
  return doc.documentationParts
}

/** Documentation parts and versions (AWS API reference: CreateDocumentationPart, ...). */
export const documentationRoutes: Route[] = [
  {
    method: 'POST',
    path: '/restapis/{restapi_id}/documentation/parts',
    handler: async (req, { store, config }) => {
      const location = readLocation(req.body.object('location'), 'createDocumentationPartInput')
      const properties = checkProperties(req.body.string('properties'))
      const part = await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '')
        if (Object.values(parts(doc)).some((p) => sameLocation(p.location, location))) {
          throw conflict('Documentation part already exists for the specified location')
        }
        const created: DocumentationPart = { id: newId(6), location, properties }
        parts(doc)[created.id] = created
        await saveApi(tx, doc)
        return created
      })
      return { status: 201, body: render(part) }
    },
  },
  {
    method: 'GET',
    path: '/restapis/{restapi_id}/documentation/parts',
    handler: async (req, { store, config }) => {
      const doc = await store.read((r) => loadApi(r, config, req.params['restapi_id'] ?? ''))
      const type = req.query.get('type')
      const path = req.query.get('path')
      const name = req.query.get('name')
      const items = Object.values(doc.documentationParts ?? {}).filter(
        (p) =>
          (!type || p.location.type === type) &&
          (!path || p.location.path === path) &&
          (!name || p.location.name === name),
      )
      return { status: 200, body: paginate(items.map(render), req.query) }
    },
  },
  {
    method: 'PUT',
    path: '/restapis/{restapi_id}/documentation/parts',
    rawBody: true,
    handler: async (req, { store, config }) => {
      let imported: DocumentationPart[]
      try {
        imported = documentationPartsOf(parseOpenApi(req.rawBody))
      } catch {
        // Recorded (test_import_documentation_parts_bad_file).
        throw badRequest('Unable to build importer with provided input.')
      }
      const mode = req.query.get('mode') ?? 'merge'
      await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '')
        const current = mode === 'overwrite' ? {} : { ...doc.documentationParts }
        for (const part of imported) {
          for (const [id, existing] of Object.entries(current))
            if (sameLocation(existing.location, part.location)) delete current[id]
          current[part.id] = part
        }
        doc.documentationParts = current
        await saveApi(tx, doc)
      })
      return { status: 200, body: { ids: imported.map((p) => p.id) } }
    },
  },
  {
    method: 'GET',
    path: '/restapis/{restapi_id}/documentation/parts/{part_id}',
    handler: async (req, { store, config }) => {
      const doc = await store.read((r) => loadApi(r, config, req.params['restapi_id'] ?? '', partNotFound))
      const part = doc.documentationParts?.[req.params['part_id'] ?? '']
      if (!part) throw partNotFound()
      return { status: 200, body: render(part) }
    },
  },
  {
    method: 'PATCH',
    path: '/restapis/{restapi_id}/documentation/parts/{part_id}',
    handler: async (req, { store, config }) => {
      const operations = readPatchOperations(req.body, 'updateDocumentationPartInput')
      const part = await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', partNotFound)
        const current = doc.documentationParts?.[req.params['part_id'] ?? '']
        if (!current) throw partNotFound()
        for (const op of operations) {
          if (op.path !== '/properties') throw invalidPatchPath(op, ['/properties'])
          if (op.op !== 'replace') throw unsupportedPatchOp(op)
          current.properties = checkProperties(op.value)
        }
        await saveApi(tx, doc)
        return current
      })
      return { status: 200, body: render(part) }
    },
  },
  {
    method: 'DELETE',
    path: '/restapis/{restapi_id}/documentation/parts/{part_id}',
    handler: async (req, { store, config }) => {
      await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '')
        const id = req.params['part_id'] ?? ''
        if (!doc.documentationParts?.[id]) throw partNotFound()
        delete doc.documentationParts[id]
        await saveApi(tx, doc)
      })
      return { status: 202 }
    },
  },
  {
    method: 'POST',
    path: '/restapis/{restapi_id}/documentation/versions',
    handler: async (req, { store, config }) => {
      const version = req.body.string('documentationVersion')
      if (!version) throw badRequest('Documentation version must be non-empty')
      const description = req.body.string('description')
      const stageName = req.body.string('stageName')
      const created = await store.transaction(async (tx) => {
        const apiId = req.params['restapi_id'] ?? ''
        const doc = await loadApi(tx, config, apiId)
        doc.documentationVersions ??= {}
        if (doc.documentationVersions[version])
          throw conflict(`Documentation version already exists: ${version}`)
        const entry: DocumentationVersion = {
          version,
          createdDate: nowEpochSeconds(),
          ...(description !== undefined ? { description } : {}),
          parts: structuredClone(Object.values(doc.documentationParts ?? {})),
        }
        doc.documentationVersions[version] = entry
        if (stageName !== undefined) {
          const stage = await tx.get('stage', apiId, stageName)
          if (!stage) throw notFound('Invalid Stage identifier specified')
          await tx.put('stage', apiId, stageName, { ...stage, documentationVersion: version })
        }
        await saveApi(tx, doc)
        return entry
      })
      return { status: 201, body: publicVersion(created) }
    },
  },
  {
    method: 'GET',
    path: '/restapis/{restapi_id}/documentation/versions',
    handler: async (req, { store, config }) => {
      const doc = await store.read((r) => loadApi(r, config, req.params['restapi_id'] ?? ''))
      return {
        status: 200,
        body: paginate(Object.values(doc.documentationVersions ?? {}).map(publicVersion), req.query),
      }
    },
  },
  {
    method: 'GET',
    path: '/restapis/{restapi_id}/documentation/versions/{version}',
    handler: async (req, { store, config }) => {
      const doc = await store.read((r) => loadApi(r, config, req.params['restapi_id'] ?? '', versionNotFound))
      const entry = doc.documentationVersions?.[req.params['version'] ?? '']
      if (!entry) throw versionNotFound()
      return { status: 200, body: publicVersion(entry) }
    },
  },
  {
    method: 'PATCH',
    path: '/restapis/{restapi_id}/documentation/versions/{version}',
    handler: async (req, { store, config }) => {
      const operations = readPatchOperations(req.body, 'updateDocumentationVersionInput')
      const entry = await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', versionNotFound)
        const current = doc.documentationVersions?.[req.params['version'] ?? '']
        if (!current) throw versionNotFound()
        for (const op of operations) {
          if (op.path !== '/description') throw invalidPatchPath(op, ['/description'])
          if (op.op !== 'replace') throw unsupportedPatchOp(op)
          if (op.value) current.description = op.value
          else delete current.description
        }
        await saveApi(tx, doc)
        return current
      })
      return { status: 200, body: publicVersion(entry) }
    },
  },
  {
    method: 'DELETE',
    path: '/restapis/{restapi_id}/documentation/versions/{version}',
    handler: async (req, { store, config }) => {
      await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '')
        const version = req.params['version'] ?? ''
        if (!doc.documentationVersions?.[version]) throw versionNotFound()
        delete doc.documentationVersions[version]
        await saveApi(tx, doc)
      })
      return { status: 202 }
    },
  },
]

function publicVersion(entry: DocumentationVersion): Omit<DocumentationVersion, 'parts'> {
  const { parts: _parts, ...rest } = entry
  return rest
}
