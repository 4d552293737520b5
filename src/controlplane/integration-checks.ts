import { PASSTHROUGH_BEHAVIORS, type Integration, type PassthroughBehavior } from '../model/index.js'
import { badRequest } from './api-error.js'
import { checkIntegrationUri } from './integration-uri.js'

const MIN_TIMEOUT_MS = 50
/** The default and largest integration timeout (AWS docs "limits"). */
export const MAX_TIMEOUT_MS = 29_000

/**
 * What PutIntegration checks beyond types, also applied to the result of UpdateIntegration:
 * an HTTP method for every type but MOCK ("Enumeration value for HttpMethod must be non-empty",
 * recorded for HTTP, HTTP_PROXY and AWS), a URI fit for the type, 50 ms to 29 s of timeout
 * (AWS docs "limits"; the message is not recorded), and valid template content types.
 */
export function checkIntegration(integration: Integration): void {
  if (integration.type !== 'MOCK' && !integration.httpMethod) {
    throw badRequest('Enumeration value for HttpMethod must be non-empty')
  }
  checkIntegrationUri(integration.type, integration.uri)
  const timeout = integration.timeoutInMillis
  if (timeout < MIN_TIMEOUT_MS || timeout > MAX_TIMEOUT_MS) {
    throw badRequest(`Timeout should be between ${MIN_TIMEOUT_MS} ms and ${MAX_TIMEOUT_MS} ms`)
  }
  for (const contentType of Object.keys(integration.requestTemplates ?? {})) checkContentType(contentType)
}

/** passthroughBehavior is a plain string in AWS's model; the wording for a bad one is not recorded. */
export function checkPassthroughBehavior(value: string): PassthroughBehavior {
  if (!(PASSTHROUGH_BEHAVIORS as readonly string[]).includes(value)) {
    throw badRequest(`Invalid passthrough behavior specified: ${value}`)
  }
  return value as PassthroughBehavior
}

/** Recorded: "Validation Result: warnings : [], errors : [Invalid content type specified: 123]". */
export function checkContentType(contentType: string): void {
  if (!/^[\w.+-]+\/[\w.+*-]+(\s*;.*)?$/.test(contentType)) {
    throw badRequest(
      `Validation Result: warnings : [], errors : [Invalid content type specified: ${contentType}]`,
    )
  }
}
