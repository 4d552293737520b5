import { newId, resourcePath, type RequestValidator, type RestApiDocument } from '../model/index.js'
import { badRequest, conflict, notFound } from './api-error.js'
import { loadApi, saveApi } from './documents.js'
import { paginate } from './paging.js'
import { invalidPatchPath, readPatchOperations, unsupportedPatchOp, type PatchOperation } from './patch.js'
import type { Route } from './router.js'

/**
 * Recorded for an unknown validator, and for get and delete on an unknown API
 * (test_invalid_get_request_validator, test_invalid_delete_request_validator).
 */
const validatorNotFound = (): Error => notFound('Invalid Request Validator identifier specified')

function findValidator(doc: RestApiDocument, id: string): RequestValidator | undefined {
  return Object.hasOwn(doc.requestValidators, id) ? doc.requestValidators[id] : undefined
}

/**
 * AWS refuses a second validator of the same name in an API: Serverless Framework users deploying
 * to AWS hit "Request Validator name must be unique" (serverless/serverless#10099). The error type
 * is not recorded; ConflictException is what AWS uses for a duplicate model name.
 */
function checkUniqueName(doc: RestApiDocument, name: string | undefined, self?: string): void {
  if (name === undefined) return
  const clash = Object.values(doc.requestValidators).some((v) => v.name === name && v.id !== self)
  if (clash) throw conflict('Request Validator name must be unique')
}

/**
 * AWS does not delete a validator a method still uses (LocalStack maintainers, validating against
 * AWS in localstack/localstack#7846); the refusal's wording is not recorded, so it follows the
 * model one ("Cannot delete model 'X', is referenced in method request: //ANY").
 */
function checkUnused(doc: RestApiDocument, id: string): void {
  for (const resource of Object.values(doc.resources)) {
    for (const [httpMethod, method] of Object.entries(resource.resourceMethods ?? {})) {
      if (method.requestValidatorId !== id) continue
      const where = `${resourcePath(doc.resources, resource.id)}/${httpMethod}`
      throw conflict(`Cannot delete request validator '${id}', is referenced in method: ${where}`)
    }
  }
}

const PATCH_PATHS = ['/name', '/validateRequestParameters', '/validateRequestBody'] as const

/**
 * One UpdateRequestValidator operation. Booleans read as Java's `Boolean.parseBoolean`: recorded,
 * a replace without a value sets false (update-request-validator-without-value), as a method's
 * `apiKeyRequired` of "whatever" reads false (test_update_method_validation "wrong-value-type").
 */
function applyValidatorPatch(doc: RestApiDocument, validator: RequestValidator, op: PatchOperation): void {
  // Recorded: an op other than replace is reported first (update-request-validator-invalid-*-operation).
  if (op.op !== 'replace') throw unsupportedPatchOp(op)
  switch (op.path) {
    case '/name':
      // Recorded (update-request-validator-empty-name-value): a replace without a value.
      if (!op.value?.trim()) throw badRequest('Request Validator name cannot be blank')
      checkUniqueName(doc, op.value, validator.id)
      validator.name = op.value
      return
    case '/validateRequestBody':
      validator.validateRequestBody = op.value?.toLowerCase() === 'true'
      return
    case '/validateRequestParameters':
      validator.validateRequestParameters = op.value?.toLowerCase() === 'true'
      return
    default:
      throw invalidPatchPath(op, PATCH_PATHS)
  }
}

const VALIDATOR_PATH = '/restapis/{restapi_id}/requestvalidators/{validator_id}'

/** Request validators of an API (messages recorded in TestApiGatewayApiRequestValidator). */
export const requestValidatorRoutes: Route[] = [
  {
    method: 'POST',
    path: '/restapis/{restapi_id}/requestvalidators',
    handler: async (req, { store, config }) => {
      const name = req.body.string('name')
      const validator: RequestValidator = {
        id: newId(6),
        ...(name !== undefined ? { name } : {}),
        validateRequestBody: req.body.boolean('validateRequestBody') ?? false,
        validateRequestParameters: req.body.boolean('validateRequestParameters') ?? false,
      }
      await store.transaction(async (tx) => {
        // Recorded: creating on an unknown API is a BadRequestException, unlike the other operations.
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', () =>
          badRequest('Invalid REST API identifier specified'),
        )
        checkUniqueName(doc, name)
        doc.requestValidators[validator.id] = validator
        await saveApi(tx, doc)
      })
      return { status: 201, body: validator }
    },
  },
  {
    method: 'GET',
    path: '/restapis/{restapi_id}/requestvalidators',
    handler: async (req, { store, config }) => {
      // Recorded: listing on an unknown API answers the API message ("Invalid API identifier ...").
      const doc = await store.read((r) => loadApi(r, config, req.params['restapi_id'] ?? ''))
      return { status: 200, body: paginate(Object.values(doc.requestValidators), req.query) }
    },
  },
  {
    method: 'GET',
    path: VALIDATOR_PATH,
    handler: async (req, { store, config }) => {
      const doc = await store.read((r) =>
        loadApi(r, config, req.params['restapi_id'] ?? '', validatorNotFound),
      )
      const validator = findValidator(doc, req.params['validator_id'] ?? '')
      if (!validator) throw validatorNotFound()
      return { status: 200, body: validator }
    },
  },
  {
    method: 'PATCH',
    path: VALIDATOR_PATH,
    handler: async (req, { store, config }) => {
      const operations = readPatchOperations(req.body, 'updateRequestValidatorInput')
      const validator = await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', validatorNotFound)
        const current = findValidator(doc, req.params['validator_id'] ?? '')
        if (!current) throw validatorNotFound()
        for (const op of operations) applyValidatorPatch(doc, current, op)
        await saveApi(tx, doc)
        return current
      })
      return { status: 200, body: validator }
    },
  },
  {
    method: 'DELETE',
    path: VALIDATOR_PATH,
    handler: async (req, { store, config }) => {
      await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', validatorNotFound)
        const id = req.params['validator_id'] ?? ''
        if (!findValidator(doc, id)) throw validatorNotFound()
        checkUnused(doc, id)
        delete doc.requestValidators[id]
        await saveApi(tx, doc)
      })
      return { status: 202 }
    },
  },
]
