import AjvDraft04Module from 'ajv-draft-04'
import type { ValidateFunction } from 'ajv'
import type { Method, RestApiDocument } from '../../model/index.js'
import { DRAFT4_FORMATS } from './formats.js'
import { requiredParameterKeys } from './parameters.js'

// ajv-draft-04 is CommonJS: under NodeNext its class is the module's `default` member.
const AjvDraft04 = AjvDraft04Module.default
type AjvDraft04 = InstanceType<typeof AjvDraft04>

/** The model a body is validated against: compiled, or the reason it could not be. */
export type BodyModel =
  | { readonly modelName: string; readonly validate: ValidateFunction }
  | { readonly modelName: string; readonly unusable: string }

/** What a method's request validator checks, compiled once per deployment. */
export interface MethodValidation {
  /** Full keys of the required parameters, sorted as AWS lists them; undefined when not checked. */
  readonly requiredParameters: readonly string[] | undefined
  /** Models by lower-cased content type (or `$default`); undefined when bodies are not checked. */
  readonly bodyModels: ReadonlyMap<string, BodyModel> | undefined
}

/** The URI API Gateway models use to `$ref` each other (AWS docs "models-mappings-models"). */
export const modelUri = (apiId: string, name: string): string =>
  `https://apigateway.amazonaws.com/restapis/${apiId}/models/${name}`

/**
 * Request validation for the methods of one deployment, compiled on first use and kept for the
 * deployment's life (one ajv instance, one entry per method; never per request). Models are JSON
 * Schema draft 4, the draft API Gateway supports, each registered under its AWS URI so `$ref`
 * between the API's models resolves.
 */
export class DeploymentValidators {
  readonly #snapshot: RestApiDocument
  readonly #compiled = new Map<Method, MethodValidation>()
  /** Models that could not be registered (not a JSON object), by name. */
  readonly #unregistered = new Map<string, string>()
  #ajv: AjvDraft04 | undefined

  constructor(snapshot: RestApiDocument) {
    this.#snapshot = snapshot
  }

  /** The validation of a method, or undefined when it has no (known) request validator. */
  forMethod(method: Method): MethodValidation | undefined {
    const id = method.requestValidatorId
    const validators = this.#snapshot.requestValidators
    const validator = id !== undefined && Object.hasOwn(validators, id) ? validators[id] : undefined
    if (!validator) return undefined
    let compiled = this.#compiled.get(method)
    if (!compiled) {
      compiled = {
        requiredParameters: validator.validateRequestParameters
          ? requiredParameterKeys(method.requestParameters)
          : undefined,
        bodyModels: validator.validateRequestBody ? this.#bodyModels(method) : undefined,
      }
      this.#compiled.set(method, compiled)
    }
    return compiled
  }

  #bodyModels(method: Method): Map<string, BodyModel> {
    const models = new Map<string, BodyModel>()
    for (const [contentType, modelName] of Object.entries(method.requestModels ?? {})) {
      models.set(contentType.toLowerCase(), this.#compileModel(modelName))
    }
    return models
  }

  #compileModel(modelName: string): BodyModel {
    const ajv = this.#ajvInstance()
    const unregistered = this.#unregistered.get(modelName)
    if (unregistered !== undefined) return { modelName, unusable: unregistered }
    try {
      const validate = ajv.getSchema(modelUri(this.#snapshot.api.id, modelName))
      return validate ? { modelName, validate } : { modelName, unusable: `no model named ${modelName}` }
    } catch (error) {
      // An unresolvable `$ref` or a bad pattern: AWS refuses such models when they are created,
      // so there is no recorded answer; LocalStack answers "Invalid request body".
      return { modelName, unusable: error instanceof Error ? error.message : String(error) }
    }
  }

  #ajvInstance(): AjvDraft04 {
    if (this.#ajv) return this.#ajv
    const ajv = new AjvDraft04({
      strict: false,
      allErrors: true,
      // Models are checked when they are created; data and schemas go into error messages.
      validateSchema: false,
      verbose: true,
      logger: false,
      formats: DRAFT4_FORMATS,
    })
    for (const model of Object.values(this.#snapshot.models)) {
      try {
        const schema: unknown = JSON.parse(model.schema ?? '{}')
        if (schema === null || typeof schema !== 'object' || Array.isArray(schema))
          throw new Error('the schema is not a JSON object')
        // `$schema` names draft 4 (the only draft API Gateway supports): no meta-schema lookup.
        const registered: Record<string, unknown> = {
          ...schema,
          id: modelUri(this.#snapshot.api.id, model.name),
        }
        delete registered['$schema']
        ajv.addSchema(registered)
      } catch (error) {
        this.#unregistered.set(model.name, error instanceof Error ? error.message : String(error))
      }
    }
    this.#ajv = ajv
    return ajv
  }
}
