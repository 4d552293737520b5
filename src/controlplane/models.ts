import { newId, resourcePath, type Model, type RestApiDocument } from '../model/index.js'
import { badRequest, conflict, notFound } from './api-error.js'
import { jsonDepthExceeds } from '../model/json-depth.js'
import { loadApi, saveApi } from './documents.js'
import { paginate } from './paging.js'
import { invalidPatchPath, readPatchOperations, unsupportedPatchOp } from './patch.js'
import type { Route } from './router.js'

const DRAFT_04 = 'http://json-schema.org/draft-04/schema#'

/**
 * AWS creates `Empty` and `Error` with every API. Description, content type and schema are the
 * recorded ones (test_apigateway_api.snapshot.json, test_model_lifecycle "get-models").
 */
export function defaultModels(): Record<string, Model> {
  const model = (name: string, description: string, extra: object): Model => ({
    id: newId(6),
    name,
    description,
    contentType: 'application/json',
    schema: JSON.stringify({ $schema: DRAFT_04, title: `${name} Schema`, type: 'object', ...extra }, null, 2),
  })
  return {
    Empty: model('Empty', 'This is a default empty schema model', {}),
    Error: model('Error', 'This is a default error schema model', {
      properties: { message: { type: 'string' } },
    }),
  }
}

/** Recorded for an unknown model, and for any model operation but create on an unknown API. */
const modelNotFound = (name: string): Error => notFound(`Invalid model name specified: ${name}`)

/** A model by name; own properties only, so `constructor` or `__proto__` are never models. */
function findModel(doc: RestApiDocument, name: string): Model | undefined {
  return Object.hasOwn(doc.models, name) ? doc.models[name] : undefined
}

const NO_CONTENT = 'Model schema must have at least 1 property or array items defined'

/**
 * A schema must be a JSON object with some content. Recorded (test_model_validation,
 * test_update_model): a missing or empty schema is refused with NO_CONTENT for JSON and XML
 * content types alike, while `{"title": "MySchema", "type": "object"}` is accepted. The wording
 * for a schema that is not JSON at all is not recorded.
 */
function checkSchema(schema: string | undefined): void {
  if (schema === undefined || schema.trim() === '') throw badRequest(NO_CONTENT)
  let parsed: unknown
  try {
    // A schema nested past Jackson's depth is not JSON to AWS; ajv would overflow compiling it.
    if (jsonDepthExceeds(schema)) throw new SyntaxError('too deep')
    parsed = JSON.parse(schema)
  } catch {
    throw badRequest(
      'Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]',
    )
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw badRequest(NO_CONTENT)
  if (Object.keys(parsed).length === 0) throw badRequest(NO_CONTENT)
}

/** Models `$ref` each other by URI (AWS docs "models-mappings-models"); this reads the name back. */
const MODEL_REF = /^https:\/\/apigateway\.amazonaws\.com\/restapis\/[^/]+\/models\/([^/#?]+)$/

/** The names of the models a schema `$ref`s, at any depth. */
function referencedModels(schema: string | undefined): Set<string> {
  const names = new Set<string>()
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit)
    else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        const name = key === '$ref' && typeof value === 'string' ? MODEL_REF.exec(value)?.[1] : undefined
        if (name) names.add(name)
        else visit(value)
      }
    }
  }
  try {
    visit(JSON.parse(schema ?? 'null'))
  } catch {
    // A stored schema is JSON (checked on write); nothing to find otherwise.
  }
  return names
}

/**
 * Where a model is still used, in AWS's words: "Cannot delete model 'X', is referenced in method
 * request: //ANY" (recorded, test_apigateway_api) and "... in method response:
 * /invoice-details/{customerCommonId}/GET" (a live AWS answer quoted in
 * amazon-archives/aws-apigateway-importer#113). The wording for a `$ref` from another model is
 * not recorded.
 */
function modelReference(doc: RestApiDocument, name: string): string | undefined {
  for (const resource of Object.values(doc.resources)) {
    for (const [httpMethod, method] of Object.entries(resource.resourceMethods ?? {})) {
      const where = `${resourcePath(doc.resources, resource.id)}/${httpMethod}`
      if (Object.values(method.requestModels ?? {}).includes(name)) return `method request: ${where}`
      const responses = Object.values(method.methodResponses ?? {})
      if (responses.some((r) => Object.values(r.responseModels ?? {}).includes(name)))
        return `method response: ${where}`
    }
  }
  const referencing = Object.values(doc.models).find(
    (m) => m.name !== name && referencedModels(m.schema).has(name),
  )
  return referencing ? `model: ${referencing.name}` : undefined
}

/**
 * GetModelTemplate's sample mapping template: a VTL body that rebuilds the model's shape from
 * `$input.path('$')`, strings quoted and numbers/booleans bare, arrays as `#foreach` loops (the
 * layout of AWS's API reference example and the console's "Generate template" blueprints).
 * Models reached through `$ref` are expanded; a cycle stops at a quoted value.
 */
export function modelTemplate(doc: RestApiDocument, model: Model): string {
  interface Scope {
    indent: string
    /** Models being expanded, to stop at a cycle. */
    seen: ReadonlySet<string>
    /** Enclosing `#foreach` loops, to name each loop variable apart. */
    loops: number
  }
  const render = (node: unknown, ref: string, scope: Scope): string => {
    let schema = asObject(node)
    let seen = scope.seen
    const refName = typeof schema['$ref'] === 'string' ? MODEL_REF.exec(schema['$ref'])?.[1] : undefined
    if (refName !== undefined) {
      const target = findModel(doc, refName)
      if (!target || seen.has(refName)) return `"${ref}"`
      seen = new Set([...seen, refName])
      schema = asObject(parseOrNull(target.schema))
    }
    const declared: unknown = schema['type']
    // Draft 4 allows a list of types; a nullable value is rendered as its other type.
    const type: unknown = Array.isArray(declared) ? declared.find((t) => t !== 'null') : declared
    const inner: Scope = { indent: `${scope.indent}  `, seen, loops: scope.loops }
    if (type === 'array' || (type === undefined && 'items' in schema)) {
      const item = scope.loops === 0 ? '$elem' : `$elem${scope.loops + 1}`
      const body = render(schema['items'], item, { ...inner, loops: scope.loops + 1 })
      return `[\n#foreach(${item} in ${ref})\n${inner.indent}${body}#if($foreach.hasNext),#end\n#end\n${scope.indent}]`
    }
    if (type === 'object' || (type === undefined && 'properties' in schema)) {
      const members = Object.entries(asObject(schema['properties'])).map(
        ([key, value]) => `${inner.indent}${JSON.stringify(key)} : ${render(value, member(ref, key), inner)}`,
      )
      return members.length === 0 ? '{}' : `{\n${members.join(',\n')}\n${scope.indent}}`
    }
    return type === 'number' || type === 'integer' || type === 'boolean' ? ref : `"${ref}"`
  }
  const root = render(parseOrNull(model.schema), '$inputRoot', {
    indent: '',
    seen: new Set([model.name]),
    loops: 0,
  })
  return `#set($inputRoot = $input.path('$'))\n${root}`
}

function asObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}

function parseOrNull(schema: string | undefined): unknown {
  try {
    return JSON.parse(schema ?? 'null')
  } catch {
    return null
  }
}

/** `$a.b`, or `$a.get('b-c')` for a property name VTL cannot read with a dot. */
function member(ref: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${ref}.${key}` : `${ref}.get('${key.replaceAll("'", "''")}')`
}

const MODEL_PATH = '/restapis/{restapi_id}/models/{model_name}'

/** Models of an API: `/restapis/{id}/models` (messages recorded in TestApiGatewayApiModels). */
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
        // Recorded order: an unknown API is reported before anything wrong with the model.
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '')
        if (!name) throw badRequest('Model name must be non-empty')
        // AWS: "Must be alphanumeric" (API reference CreateModel); the refusal's wording is not recorded.
        if (!/^[A-Za-z0-9]+$/.test(name)) throw badRequest('Model name must be alphanumeric')
        if (findModel(doc, name)) throw conflict('Model name already exists for this REST API')
        checkSchema(schema)
        const created: Model = {
          id: newId(6),
          name,
          contentType,
          // Recorded (test_update_model "create-model"): an empty description is not kept.
          ...(description ? { description } : {}),
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
      const models = Object.values(doc.models).sort((a, b) => (a.name < b.name ? -1 : 1))
      return { status: 200, body: paginate(models, req.query) }
    },
  },
  {
    method: 'GET',
    path: MODEL_PATH,
    handler: async (req, { store, config }) => {
      const name = req.params['model_name'] ?? ''
      const missing = (): Error => modelNotFound(name)
      const doc = await store.read((r) => loadApi(r, config, req.params['restapi_id'] ?? '', missing))
      const model = findModel(doc, name)
      if (!model) throw missing()
      return { status: 200, body: model }
    },
  },
  {
    method: 'GET',
    path: `${MODEL_PATH}/default_template`,
    handler: async (req, { store, config }) => {
      const name = req.params['model_name'] ?? ''
      const missing = (): Error => modelNotFound(name)
      const doc = await store.read((r) => loadApi(r, config, req.params['restapi_id'] ?? '', missing))
      const model = findModel(doc, name)
      if (!model) throw missing()
      return { status: 200, body: { value: modelTemplate(doc, model) } }
    },
  },
  {
    method: 'PATCH',
    path: MODEL_PATH,
    handler: async (req, { store, config }) => {
      const name = req.params['model_name'] ?? ''
      const missing = (): Error => modelNotFound(name)
      const operations = readPatchOperations(req.body, 'updateModelInput')
      const model = await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', missing)
        const current = findModel(doc, name)
        if (!current) throw missing()
        for (const op of operations) {
          // Recorded: an unsupported op is reported first, even on an unknown path.
          if (op.op !== 'replace') throw unsupportedPatchOp(op)
          if (op.path === '/description') {
            // Recorded (test_update_model "update-model"): an empty description removes it.
            if (op.value) current.description = op.value
            else delete current.description
          } else if (op.path === '/schema') {
            checkSchema(op.value)
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
    path: MODEL_PATH,
    handler: async (req, { store, config }) => {
      const name = req.params['model_name'] ?? ''
      const missing = (): Error => modelNotFound(name)
      await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', missing)
        if (!findModel(doc, name)) throw missing()
        const reference = modelReference(doc, name)
        if (reference) throw conflict(`Cannot delete model '${name}', is referenced in ${reference}`)
        delete doc.models[name]
        await saveApi(tx, doc)
      })
      return { status: 202 }
    },
  },
]
