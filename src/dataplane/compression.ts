import { deflateSync, gzipSync } from 'node:zlib'
import type { OutboundResponse } from './context.js'
import { headerValue } from './request.js'

/**
 * Compresses a response when the API sets minimumCompressionSize, the body is at least that
 * large and the client accepts gzip or deflate (AWS docs "api-gateway-gzip-compression-decompression":
 * supported codings gzip, deflate, identity). A response that already has a Content-Encoding is
 * left alone.
 */
export function compressResponse(
  response: OutboundResponse,
  acceptEncoding: string | undefined,
  minimumCompressionSize: number | undefined,
): OutboundResponse {
  if (minimumCompressionSize === undefined || response.body.length < minimumCompressionSize) return response
  if (headerValue(response.headers, 'content-encoding') !== undefined) return response
  const coding = preferredCoding(acceptEncoding)
  if (!coding) return response
  const body = coding === 'gzip' ? gzipSync(response.body) : deflateSync(response.body)
  return { ...response, headers: [...response.headers, ['Content-Encoding', coding]], body }
}

/** gzip or deflate, whichever the client accepts with the higher q-value (gzip on a tie). */
function preferredCoding(acceptEncoding: string | undefined): 'gzip' | 'deflate' | undefined {
  if (!acceptEncoding) return undefined
  const weights = new Map<string, number>()
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';')
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined)
    if (name) weights.set(name, q === undefined ? 1 : Number(q))
  }
  const star = weights.get('*') ?? 0
  const gzip = weights.get('gzip') ?? star
  const deflate = weights.get('deflate') ?? star
  if (gzip <= 0 && deflate <= 0) return undefined
  return gzip >= deflate ? 'gzip' : 'deflate'
}
