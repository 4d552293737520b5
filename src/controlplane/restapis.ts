import {
  API_KEY_SOURCES,
  ENDPOINT_TYPES,
  IP_ADDRESS_TYPES,
  newId,
  nowEpochSeconds,
  type EndpointConfiguration,
  type EndpointType,
  type IpAddressType,
  type RestApi,
  type RestApiDocument,
} from '../model/index.js'
import { badRequest } from './api-error.js'
import { parseOpenApi } from './openapi/document.js'
import { parseJsonBody } from './http.js'
import { importOpenApi, type BasePathMode } from './openapi/import.js'
import { loadApi, saveApi } from './documents.js'
import { defaultModels } from './models.js'
import { Input } from './input.js'
import { paginate } from './paging.js'
import {
  invalidPatchOperation,
  invalidPatchPath,
  patchPathSegments,
  readPatchOperations,
  type PatchOperation,
} from './patch.js'
import type { Route } from './router.js'
import { ValidationErrors } from './validation.js'

const MAX_COMPRESSION_SIZE = 10_485_760
const MAX_NAME_LENGTH = 1024

/** Create, read, list, update and delete REST APIs: `/restapis`. */
export const restApiRoutes: Route[] = [
  {
    method: 'POST',
    path: '/restapis',
    // ImportRestApi (`?mode=import`) sends an OpenAPI document, JSON or YAML, not a JSON object.
    rawBody: true,
    handler: async (req, { store }) => {
      if (req.query.get('mode') === 'import') {
        const { doc, warnings } = importOpenApi(
          parseOpenApi(req.rawBody),
          emptyApiDocument(readCreateRestApi(Input.of({ name: 'imported' }))),
          basePathMode(req.query),
        )
        refuseWarnings(req.query, warnings)
        await store.transaction((tx) => saveApi(tx, doc))
        return { status: 201, body: { ...doc.api, ...(warnings.length ? { warnings } : {}) } }
      }
      const doc = emptyApiDocument(readCreateRestApi(parseJsonBody(req.rawBody)))
      await store.transaction((tx) => saveApi(tx, doc))
      return { status: 201, body: doc.api }
    },
  },
  {
    method: 'PUT',
    path: '/restapis/{restapi_id}',
    rawBody: true,
    handler: async (req, { store, config }) => {
      const source = parseOpenApi(req.rawBody)
      const mode = req.query.get('mode') ?? 'merge'
      if (mode !== 'merge' && mode !== 'overwrite')
        throw badRequest(`Invalid mode: ${mode}. Must be one of: [merge, overwrite]`)
      const result = await store.transaction(async (tx) => {
        const current = await loadApi(tx, config, req.params['restapi_id'] ?? '')
        // Overwrite starts from an empty tree (AWS docs "import-rest-api": the API is replaced); merge adds to it.
        const base: RestApiDocument =
          mode === 'overwrite'
            ? {
                ...current,
                resources: { [current.api.rootResourceId]: { id: current.api.rootResourceId } },
                models: defaultModels(),
                requestValidators: {},
                gatewayResponses: {},
              }
            : current
        const imported = importOpenApi(source, base, basePathMode(req.query))
        refuseWarnings(req.query, imported.warnings)
        await saveApi(tx, imported.doc)
        return imported
      })
      return {
        status: 200,
        body: { ...result.doc.api, ...(result.warnings.length ? { warnings: result.warnings } : {}) },
      }
    },
  },
  {
    method: 'GET',
    path: '/restapis',
    handler: async (req, { store }) => {
      const docs = await store.read((r) => r.list('restapi', ''))
      return {
        status: 200,
        body: paginate(
          docs.map((d) => d.api),
          req.query,
        ),
      }
    },
  },
  {
    method: 'GET',
    path: '/restapis/{restapi_id}',
    handler: async (req, { store, config }) => {
      const doc = await store.read((r) => loadApi(r, config, req.params['restapi_id'] ?? ''))
      return { status: 200, body: doc.api }
    },
  },
  {
    method: 'PATCH',
    path: '/restapis/{restapi_id}',
    handler: async (req, { store, config }) => {
      const operations = readPatchOperations(req.body, 'updateRestApiInput')
      const api = await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '')
        const updated = structuredClone(doc.api)
        for (const op of operations) applyRestApiPatch(updated, op)
        doc.api = updated
        await saveApi(tx, doc)
        return updated
      })
      return { status: 200, body: { ...api, tags: api.tags ?? {} } }
    },
  },
  {
    method: 'DELETE',
    path: '/restapis/{restapi_id}',
    handler: async (req, { store, config }) => {
      const apiId = req.params['restapi_id'] ?? ''
      await store.transaction(async (tx) => {
        await loadApi(tx, config, apiId)
        await tx.delete('restapi', '', apiId)
        await tx.deleteScope(apiId)
      })
      return { status: 202 }
    },
  },
]

/** A new API with only its root resource and AWS's default models. */
function emptyApiDocument(api: Omit<RestApi, 'rootResourceId'>): RestApiDocument {
  const rootId = newId(10)
  return {
    api: { ...api, rootResourceId: rootId },
    resources: { [rootId]: { id: rootId } },
    models: defaultModels(),
    requestValidators: {},
    gatewayResponses: {},
  }
}

/** The `basepath` import parameter: ignore (default), prepend or split. */
function basePathMode(query: URLSearchParams): BasePathMode {
  const mode = query.get('basepath') ?? query.get('parameters.basepath') ?? 'ignore'
  if (mode !== 'ignore' && mode !== 'prepend' && mode !== 'split') {
    throw badRequest(`Invalid basepath parameter: ${mode}. Must be one of: [ignore, prepend, split]`)
  }
  return mode
}

/** `failonwarnings=true` turns import warnings into a failed call (AWS API reference, ImportRestApi). */
function refuseWarnings(query: URLSearchParams, warnings: readonly string[]): void {
  if (query.get('failonwarnings') === 'true' && warnings.length > 0) {
    throw badRequest(`Import failed on warnings: ${warnings.join('; ')}`)
  }
}

/** Reads a CreateRestApi body; recorded defaults: EDGE + ipv4, HEADER key source. */
function readCreateRestApi(body: Input): Omit<RestApi, 'rootResourceId'> {
  const name = body.string('name')
  const description = body.string('description')
  const errors = new ValidationErrors()
  const endpoint = body.object('endpointConfiguration')
  const types = endpoint?.stringList('types')
  const ipAddressType = endpoint?.string('ipAddressType')
  errors.enumList(types, 'createRestApiInput.endpointConfiguration.types', ['PRIVATE', 'EDGE', 'REGIONAL'])
  errors.enumValue(ipAddressType, 'createRestApiInput.endpointConfiguration.ipAddressType', IP_ADDRESS_TYPES)
  const apiKeySource = body.string('apiKeySource')
  errors.enumValue(apiKeySource, 'createRestApiInput.apiKeySource', API_KEY_SOURCES)
  errors.throwIfAny()

  if (name === undefined || name.trim() === '') throw badRequest('The name of the REST API must be non-empty')
  if (name.length > MAX_NAME_LENGTH)
    throw badRequest(`Invalid name: must be at most ${MAX_NAME_LENGTH} characters`)
  if (description === '') throw badRequest('Description cannot be an empty string')

  const minimumCompressionSize = readCompressionSize(body.raw['minimumCompressionSize'])
  const binaryMediaTypes = body.stringList('binaryMediaTypes')
  const vpcEndpointIds = endpoint?.stringList('vpcEndpointIds')
  const tags = body.stringMap('tags')
  const policy = body.string('policy')
  const version = body.string('version')
  const api: Omit<RestApi, 'rootResourceId'> = {
    id: newId(10),
    name,
    createdDate: nowEpochSeconds(),
    apiKeySource: (apiKeySource as RestApi['apiKeySource'] | undefined) ?? 'HEADER',
    endpointConfiguration: endpointConfiguration(
      types as EndpointType[] | undefined,
      ipAddressType as IpAddressType | undefined,
      vpcEndpointIds,
    ),
    disableExecuteApiEndpoint: body.boolean('disableExecuteApiEndpoint') ?? false,
    ...(description !== undefined ? { description } : {}),
    ...(version !== undefined ? { version } : {}),
    ...(binaryMediaTypes?.length ? { binaryMediaTypes } : {}),
    ...(minimumCompressionSize !== undefined ? { minimumCompressionSize } : {}),
    ...(policy !== undefined ? { policy } : {}),
    ...(tags !== undefined ? { tags } : {}),
  }
  return api
}

function endpointConfiguration(
  types: EndpointType[] | undefined,
  ipAddressType: IpAddressType | undefined,
  vpcEndpointIds: string[] | undefined,
): EndpointConfiguration {
  if (types !== undefined && types.length === 0) {
    throw badRequest('REGIONAL Configuration and EDGE Configuration cannot be both DISABLED.')
  }
  if (types !== undefined && types.length > 1)
    throw badRequest('Cannot create an api with multiple Endpoint Types.')
  const type = types?.[0] ?? 'EDGE'
  // Recorded: a PRIVATE API defaults to dualstack and refuses ipv4; the others default to ipv4.
  if (type === 'PRIVATE' && ipAddressType === 'ipv4') {
    throw badRequest('Only dualstack ipAddressType is supported for Private APIs.')
  }
  return {
    types: [type],
    ipAddressType: ipAddressType ?? (type === 'PRIVATE' ? 'dualstack' : 'ipv4'),
    ...(vpcEndpointIds?.length ? { vpcEndpointIds } : {}),
  }
}

function readCompressionSize(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_COMPRESSION_SIZE) {
    throw badRequest(`Invalid minimum compression size, must be between 0 and ${MAX_COMPRESSION_SIZE}`)
  }
  return n
}

const REPLACEABLE = [
  '/name',
  '/description',
  '/version',
  '/policy',
  '/apiKeySource',
  '/minimumCompressionSize',
  '/disableExecuteApiEndpoint',
] as const

/** Applies one UpdateRestApi patch operation, with AWS's paths and messages. */
function applyRestApiPatch(api: RestApi, op: PatchOperation): void {
  const [head, ...rest] = patchPathSegments(op.path)
  switch (head) {
    case 'binaryMediaTypes':
      return patchBinaryMediaTypes(api, op, rest.join('/'))
    case 'endpointConfiguration':
      return patchEndpointConfiguration(api, op, rest)
    case 'tags':
      if (rest.length !== 1 || rest[0] === '') throw invalidPatchPath(op, ['/tags/{key}'])
      if (op.op === 'remove') delete api.tags?.[rest[0] as string]
      else api.tags = { ...api.tags, [rest[0] as string]: op.value ?? '' }
      return
    default:
      break
  }
  if (!(REPLACEABLE as readonly string[]).includes(op.path)) throw invalidPatchPath(op, REPLACEABLE)
  if (
    op.op !== 'replace' &&
    !(op.op === 'remove' && ['/description', '/version', '/policy'].includes(op.path))
  ) {
    throw invalidPatchOperation(['replace'])
  }
  const value = op.op === 'remove' ? undefined : op.value
  switch (op.path) {
    case '/name':
      if (!value) throw badRequest('The name of the REST API must be non-empty')
      api.name = value
      return
    case '/description':
    case '/version':
    case '/policy': {
      const key = op.path.slice(1) as 'description' | 'version' | 'policy'
      if (value === undefined || value === '') delete api[key]
      else api[key] = value
      return
    }
    case '/apiKeySource':
      if (!API_KEY_SOURCES.includes(value as RestApi['apiKeySource'])) {
        throw badRequest(`Invalid API Key source specified. Valid options are ${API_KEY_SOURCES.join(',')}`)
      }
      api.apiKeySource = value as RestApi['apiKeySource']
      return
    case '/minimumCompressionSize':
      // Recorded: an empty or absent value turns compression off.
      if (value === undefined || value === '') delete api.minimumCompressionSize
      else api.minimumCompressionSize = readCompressionSize(value) as number
      return
    case '/disableExecuteApiEndpoint':
      if (value !== 'true' && value !== 'false') {
        throw badRequest(`Invalid value for disableExecuteApiEndpoint: ${value ?? 'null'}`)
      }
      api.disableExecuteApiEndpoint = value === 'true'
      return
  }
}

function patchBinaryMediaTypes(api: RestApi, op: PatchOperation, mediaType: string): void {
  // Recorded: the bare list path is refused whatever the op ("Invalid patch path /binaryMediaTypes").
  if (mediaType === '') throw badRequest(`Invalid patch path ${op.path}`)
  const types = api.binaryMediaTypes ?? []
  switch (op.op) {
    case 'add':
      if (!types.includes(mediaType)) types.push(mediaType)
      break
    case 'remove':
      types.splice(types.indexOf(mediaType) >>> 0, types.includes(mediaType) ? 1 : 0)
      break
    case 'replace': {
      const index = types.indexOf(mediaType)
      const replacement = op.value ?? ''
      if (index >= 0) types[index] = replacement
      else types.push(replacement)
      break
    }
    default:
      throw invalidPatchOperation(['add', 'remove', 'replace'])
  }
  if (types.length > 0) api.binaryMediaTypes = types
  else delete api.binaryMediaTypes
}

function patchEndpointConfiguration(api: RestApi, op: PatchOperation, rest: string[]): void {
  const config = api.endpointConfiguration
  const [field, item] = rest
  if (field === 'ipAddressType') {
    if (op.op !== 'replace') throw invalidPatchOperation(['replace'])
    if (!IP_ADDRESS_TYPES.includes(op.value as IpAddressType)) {
      throw badRequest('ipAddressType must be either ipv4 or dualstack.')
    }
    if (config.types[0] === 'PRIVATE' && op.value === 'ipv4') {
      throw badRequest('Only dualstack ipAddressType is supported for Private APIs.')
    }
    config.ipAddressType = op.value as IpAddressType
    return
  }
  if (field === 'types') {
    if (op.op !== 'replace' && op.op !== 'add' && op.op !== 'remove') {
      throw badRequest("Invalid patch operation specified. Must be 'add'|'remove'|'replace'")
    }
    if (!ENDPOINT_TYPES.includes(op.value as EndpointType) && op.op !== 'remove') {
      throw badRequest('Invalid EndpointTypes specified. Valid options are REGIONAL,EDGE,PRIVATE')
    }
    if (op.op === 'remove') {
      throw badRequest('REGIONAL Configuration and EDGE Configuration cannot be both DISABLED.')
    }
    // One endpoint type per API: add and replace both switch it. Moving to PRIVATE implies dualstack.
    const type = op.value as EndpointType
    config.types = [type]
    if (type === 'PRIVATE') config.ipAddressType = 'dualstack'
    return
  }
  if (field === 'vpcEndpointIds') {
    const ids = config.vpcEndpointIds ?? []
    const id = item ?? op.value ?? ''
    if (op.op === 'add' && !ids.includes(id)) ids.push(id)
    else if (op.op === 'remove') ids.splice(ids.indexOf(id) >>> 0, ids.includes(id) ? 1 : 0)
    else if (op.op === 'replace') ids.splice(0, ids.length, ...(op.value ?? '').split(',').filter(Boolean))
    if (ids.length > 0) config.vpcEndpointIds = ids
    else delete config.vpcEndpointIds
    return
  }
  throw invalidPatchPath(op, [
    '/endpointConfiguration/types/{type}',
    '/endpointConfiguration/ipAddressType',
    '/endpointConfiguration/vpcEndpointIds',
  ])
}
