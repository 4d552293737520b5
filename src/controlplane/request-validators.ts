import { newId, type RequestValidator } from '../model/index.js'
import { badRequest, notFound } from './api-error.js'
import { loadApi, saveApi } from './documents.js'
import { paginate } from './paging.js'
import { invalidPatchPath, patchBoolean, readPatchOperations, unsupportedPatchOp } from './patch.js'
import type { Route } from './router.js'

const validatorNotFound = (): Error => notFound('Invalid Request Validator identifier specified')

/** Request validators of an API (messages recorded in test_apigateway_api TestApiGatewayApiRequestValidator). */
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
      const doc = await store.read((r) => loadApi(r, config, req.params['restapi_id'] ?? ''))
      return { status: 200, body: paginate(Object.values(doc.requestValidators), req.query) }
    },
  },
  {
    method: 'GET',
    path: '/restapis/{restapi_id}/requestvalidators/{validator_id}',
    handler: async (req, { store, config }) => {
      const doc = await store.read((r) =>
        loadApi(r, config, req.params['restapi_id'] ?? '', validatorNotFound),
      )
      const id = req.params['validator_id'] ?? ''
      const validator = Object.hasOwn(doc.requestValidators, id) ? doc.requestValidators[id] : undefined
      if (!validator) throw validatorNotFound()
      return { status: 200, body: validator }
    },
  },
  {
    method: 'PATCH',
    path: '/restapis/{restapi_id}/requestvalidators/{validator_id}',
    handler: async (req, { store, config }) => {
      const operations = readPatchOperations(req.body, 'updateRequestValidatorInput')
      const validator = await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', validatorNotFound)
        const id = req.params['validator_id'] ?? ''
        const current = Object.hasOwn(doc.requestValidators, id) ? doc.requestValidators[id] : undefined
        if (!current) throw validatorNotFound()
        const allowed = ['/name', '/validateRequestParameters', '/validateRequestBody']
        for (const op of operations) {
          if (!allowed.includes(op.path)) throw invalidPatchPath(op, allowed)
          if (op.op !== 'replace') throw unsupportedPatchOp(op)
          if (op.path === '/name') {
            if (!op.value?.trim()) throw badRequest('Request Validator name cannot be blank')
            current.name = op.value
          } else {
            // Recorded (update-request-validator-without-value): a replace without a value sets false.
            const value = op.value === undefined ? false : patchBoolean(op)
            if (op.path === '/validateRequestBody') current.validateRequestBody = value
            else current.validateRequestParameters = value
          }
        }
        await saveApi(tx, doc)
        return current
      })
      return { status: 200, body: validator }
    },
  },
  {
    method: 'DELETE',
    path: '/restapis/{restapi_id}/requestvalidators/{validator_id}',
    handler: async (req, { store, config }) => {
      await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', validatorNotFound)
        const id = req.params['validator_id'] ?? ''
        if (!Object.hasOwn(doc.requestValidators, id)) throw validatorNotFound()
        delete doc.requestValidators[id]
        // Methods that used it no longer validate, as on AWS (the id is cleared from them).
        for (const resource of Object.values(doc.resources)) {
          for (const method of Object.values(resource.resourceMethods ?? {})) {
            if (method.requestValidatorId === id) delete method.requestValidatorId
          }
        }
        await saveApi(tx, doc)
      })
      return { status: 202 }
    },
  },
]
