import { mediaType } from '../mapping/templates.js'
import type { BodyModel } from './compile.js'
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../../model/json-depth.js'

/**
 * The model for a request's content type: the Content-Type's media type (`application/json`
 * when absent), else the `$default` entry, else none, and then AWS does not validate the body
 * (AWS docs "api-gateway-method-request-validation": "If no matching content type is found,
 * request validation is not performed. To use the same model regardless of the content type,
 * set the content type for your data model to $default").
 */
export function selectBodyModel(
  models: ReadonlyMap<string, BodyModel>,
  contentType: string | undefined,
): BodyModel | undefined {
  return models.get(mediaType(contentType) ?? 'application/json') ?? models.get('$default')
}

/** A request body read as JSON, or why it is not JSON. */
export type ParsedBody =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string }

/**
 * Reads a body for validation. An empty body is validated as `{}` (recorded:
 * test_apigateway_common.snapshot.json "failed-validation-no-data" fails a model with required
 * properties, not for a missing body); a body that is not JSON fails validation ("Invalid request
 * body", recorded). AWS's validationErrorString for non-JSON is not recorded; this one carries
 * the parser's message.
 */
export function parseJsonBody(body: Buffer): ParsedBody {
  if (body.length === 0) return { ok: true, value: {} }
  const text = body.toString('utf8')
  if (jsonDepthExceeds(text))
    return { ok: false, reason: `[Invalid JSON: nesting deeper than ${MAX_JSON_DEPTH} levels]` }
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch (error) {
    return { ok: false, reason: `[Invalid JSON: ${error instanceof Error ? error.message : String(error)}]` }
  }
}
