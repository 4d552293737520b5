import { parse as parseYaml } from 'yaml'
import { badRequest } from '../api-error.js'
import { jsonDepthExceeds } from '../../model/json-depth.js'

/** An OpenAPI 2.0 or 3.0 document as parsed JSON / YAML. */
export type OpenApiDocument = Record<string, unknown>

/**
 * Parses an import body, JSON or YAML. Anything that is not an OpenAPI 2.0 (`swagger: "2.0"`) or
 * 3.x (`openapi: 3.x`) document is refused with AWS's recorded message "Invalid OpenAPI input."
 * (test_apigateway_import.snapshot.json, test_import_api_bad_file).
 */
export function parseOpenApi(body: Buffer): OpenApiDocument {
  const text = body.toString('utf8')
  let parsed: unknown
  try {
    // Nesting past Jackson's depth (brackets of JSON or YAML flow style) is refused like bad input:
    // the import's readers are recursive.
    if (jsonDepthExceeds(text)) throw new SyntaxError('too deep')
    parsed = text.trimStart().startsWith('{') ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 })
  } catch {
    throw badRequest('Invalid OpenAPI input.')
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw badRequest('Invalid OpenAPI input.')
  const doc = parsed as OpenApiDocument
  const isSwagger = doc['swagger'] === '2.0'
  const isOas3 = typeof doc['openapi'] === 'string' && doc['openapi'].startsWith('3.')
  if ((!isSwagger && !isOas3) || typeof doc['paths'] !== 'object' || doc['paths'] === null) {
    throw badRequest('Invalid OpenAPI input.')
  }
  return doc
}

export const isOas3 = (doc: OpenApiDocument): boolean => typeof doc['openapi'] === 'string'

/** A member as a plain object, or an empty one. */
export function obj(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}

export const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)
