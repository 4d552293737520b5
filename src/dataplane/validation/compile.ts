import AjvDraft04Module from 'ajv-draft-04'
import type { ErrorObject, ValidateFunction } from 'ajv'
import type { Method, RestApiDocument } from '../../model/index.js'

// ajv-draft-04 is CommonJS: under NodeNext its class is the module's `default` member.
const AjvDraft04 = AjvDraft04Module.default
type AjvDraft04 = InstanceType<typeof AjvDraft04>

/** What a method's request validator checks, compiled once per deployment. */
export interface MethodValidation {
  /** Full keys (`method.request.querystring.q`) of required parameters, sorted as AWS lists them. */
  readonly requiredParameters: readonly string[] | undefined
  /** Body validators by content type (lower-cased), when the validator checks bodies. */
  readonly bodyModels: ReadonlyMap<string, ValidateFunction> | undefined
}

/** The URI API Gateway models use to `$ref` each other (AWS docs "models-mappings-models"). */
export const modelUri = (apiId: string, name: string): string =>
  `https://apigateway.amazonaws.com/restapis/${apiId}/models/${name}`

/**
 * Compiles request validation for the methods of one deployment, lazily and once per method:
 * JSON Schema draft 4 (the draft API Gateway models use) with every model of the API registered
 * under its AWS URI, so `$ref` between models resolves.
 */
export class DeploymentValidators {
  readonly #snapshot: RestApiDocument
  readonly #compiled = new Map<Method, MethodValidation>()
  #ajv: AjvDraft04 | undefined

  constructor(snapshot: RestApiDocument) {
    this.#snapshot = snapshot
  }

  /** The validation of a method, or undefined when it has no request validator. */
  forMethod(method: Method): MethodValidation | undefined {
    const validatorId = method.requestValidatorId
    if (validatorId === undefined) return undefined
    const validator = Object.hasOwn(this.#snapshot.requestValidators, validatorId)
      ? this.#snapshot.requestValidators[validatorId]
      : undefined
    if (!validator) return undefined
    let compiled = this.#compiled.get(method)
    if (!compiled) {
      compiled = {
        requiredParameters: validator.validateRequestParameters
          ? Object.entries(method.requestParameters ?? {})
              .filter(([, required]) => required)
              .map(([key]) => key)
              .sort()
          : undefined,
        bodyModels: validator.validateRequestBody ? this.#bodyModels(method) : undefined,
      }
      this.#compiled.set(method, compiled)
    }
    return compiled
  }

  #bodyModels(method: Method): Map<string, ValidateFunction> {
    const out = new Map<string, ValidateFunction>()
    for (const [contentType, modelName] of Object.entries(method.requestModels ?? {})) {
      const validate = this.#ajvInstance().getSchema(modelUri(this.#snapshot.api.id, modelName))
      if (validate) out.set(contentType.toLowerCase(), validate)
    }
    return out
  }

  #ajvInstance(): AjvDraft04 {
    if (this.#ajv) return this.#ajv
    const ajv = new AjvDraft04({ strict: false, allErrors: true, validateSchema: false })
    for (const model of Object.values(this.#snapshot.models)) {
      try {
        const schema = JSON.parse(model.schema ?? '{}') as Record<string, unknown>
        delete schema['$schema']
        ajv.addSchema({ ...schema, id: modelUri(this.#snapshot.api.id, model.name) })
      } catch {
        // A model whose schema is not JSON validates nothing (AWS refuses it at creation).
      }
    }
    this.#ajv = ajv
    return ajv
  }
}

/**
 * AWS words body validation failures the way the Java json-schema-validator does
 * (`[object has missing required properties (["name"])]`); this renders ajv's errors in that
 * spirit for $context.error.validationErrorString. Exact wording differs for some keywords.
 */
export function describeValidationErrors(errors: readonly ErrorObject[] | null | undefined): string {
  const messages = (errors ?? []).map((error) => {
    const params = error.params as Record<string, unknown>
    switch (error.keyword) {
      case 'required':
        return `object has missing required properties (["${String(params['missingProperty'])}"])`
      case 'type':
        return `instance type does not match any allowed primitive type (allowed: ["${String(params['type'])}"]) at ${error.instancePath || '/'}`
      case 'additionalProperties':
        return `object instance has properties which are not allowed by the schema: ["${String(params['additionalProperty'])}"]`
      default:
        return `${error.instancePath || '/'} ${error.message ?? error.keyword}`
    }
  })
  return `[${messages.join(', ')}]`
}
