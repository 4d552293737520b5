import type { EndpointResponse } from '../../dataplane/context.js'
import { EMPTY_BODY, isSendable, type HeaderEntry } from '../../dataplane/request.js'

const ALLOWED_KEYS = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded'])

/**
 * Reads a Lambda proxy response as AWS does (AWS docs "set-up-lambda-proxy-integrations" output
 * format; recorded in test_aws_proxy_response_payload_format_validation): a JSON object with only
 * statusCode, headers, multiValueHeaders, body, isBase64Encoded — all optional; statusCode may be
 * a numeric string; header values may be scalars; multiValueHeaders values must be lists; a header
 * in both maps gets the multi values first. Anything else is undefined (the caller answers 502),
 * as is a header that HTTP cannot carry (a name that is not a token, a value with CR, LF or NUL):
 * sent on, it would split the response.
 * A base64 body is decoded only when the client accepts a binary media type.
 */
export function parseProxyResponse(payload: string, decodeBase64: boolean): EndpointResponse | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(payload)
  } catch {
    return undefined
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined
  const response = parsed as Record<string, unknown>
  if (Object.keys(response).some((key) => !ALLOWED_KEYS.has(key))) return undefined
  const status = response['statusCode'] === undefined ? 200 : Number(response['statusCode'])
  if (!Number.isInteger(status) || status < 100 || status > 599) return undefined
  const headers: HeaderEntry[] = []
  const seen = new Set<string>()
  const multi = response['multiValueHeaders']
  if (multi !== undefined && multi !== null) {
    if (typeof multi !== 'object' || Array.isArray(multi)) return undefined
    for (const [name, values] of Object.entries(multi as Record<string, unknown>)) {
      if (!Array.isArray(values)) return undefined
      for (const value of values) headers.push([name, scalar(value)])
      seen.add(name.toLowerCase())
    }
  }
  const single = response['headers']
  if (single !== undefined && single !== null) {
    if (typeof single !== 'object' || Array.isArray(single)) return undefined
    for (const [name, value] of Object.entries(single as Record<string, unknown>)) {
      if (value === null) continue
      if (typeof value === 'object') return undefined
      const existing = seen.has(name.toLowerCase())
        ? headers.find(([n]) => n.toLowerCase() === name.toLowerCase())
        : undefined
      headers.push([existing?.[0] ?? name, scalar(value)])
    }
  }
  if (!headers.every(([name, value]) => isSendable(name, value))) return undefined
  if (!headers.some(([name]) => name.toLowerCase() === 'content-type'))
    headers.push(['Content-Type', 'application/json'])
  const body = response['body']
  if (body !== undefined && body !== null && typeof body !== 'string') return undefined
  const isBase64 = response['isBase64Encoded'] === true
  const bytes =
    typeof body === 'string' ? Buffer.from(body, isBase64 && decodeBase64 ? 'base64' : 'utf8') : EMPTY_BODY
  return { status, headers, body: bytes }
}

function scalar(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}
