import type { ContentHandling } from '../../model/index.js'
import { mediaType } from './templates.js'

/**
 * Whether a media type is one of the API's binaryMediaTypes (`*\/*` and `type/*` wildcards
 * allowed, as the AWS console and docs "api-gateway-payload-encodings" use them).
 */
export function isBinaryMediaType(
  contentType: string | undefined,
  binaryMediaTypes: readonly string[] | undefined,
): boolean {
  if (!binaryMediaTypes?.length) return false
  const type = mediaType(contentType)
  if (!type) return false
  return binaryMediaTypes.some((entry) => {
    const pattern = entry.toLowerCase()
    if (pattern === '*/*' || pattern === type) return true
    return pattern.endsWith('/*') && type.startsWith(pattern.slice(0, -1))
  })
}

/**
 * Converts a payload as AWS's content-handling tables say (docs
 * "api-gateway-payload-encodings-workflow"): CONVERT_TO_TEXT turns a binary payload into a
 * base64 string; CONVERT_TO_BINARY turns a text payload (base64) into the bytes it encodes;
 * unset passes the payload through, as do the conversions that have nothing to do.
 */
export function convertContent(
  body: Buffer,
  isBinary: boolean,
  handling: ContentHandling | undefined,
): Buffer {
  if (handling === 'CONVERT_TO_TEXT' && isBinary) return Buffer.from(body.toString('base64'))
  if (handling === 'CONVERT_TO_BINARY' && !isBinary) return Buffer.from(body.toString('utf8'), 'base64')
  return body
}
