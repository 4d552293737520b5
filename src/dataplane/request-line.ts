import type { IncomingMessage } from 'node:http'

/**
 * Why a request must be refused before anything reads it, or undefined. Node's HTTP parser
 * refuses conflicting Content-Length / Transfer-Encoding itself, but accepts forms a front door
 * must not (request smuggling and host confusion; RFC 9112 sections 3.2, 3.3 and 6.1):
 * - a request line without a version (HTTP/0.9);
 * - a target that is not origin-form (`GET http://other/x`, `CONNECT host:443`, `OPTIONS *`):
 *   routing and the Host header would disagree about where the request goes;
 * - two Host headers;
 * - a Transfer-Encoding other than exactly `chunked` (`xchunked`, `chunked, identity`, two
 *   headers): a proxy in front may frame the body differently than Node does.
 */
export function malformedRequest(req: IncomingMessage): string | undefined {
  if (req.httpVersionMajor !== 1) return 'unsupported HTTP version'
  if (!req.url?.startsWith('/')) return 'request target not in origin form'
  let hosts = 0
  let encodings = 0
  const raw = req.rawHeaders
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase()
    if (name === 'host') hosts++
    else if (name === 'transfer-encoding') {
      encodings++
      if ((raw[i + 1] as string).trim().toLowerCase() !== 'chunked') return 'unsupported transfer encoding'
    }
  }
  if (hosts > 1) return 'more than one Host header'
  if (encodings > 1) return 'more than one Transfer-Encoding header'
  return undefined
}

/**
 * API Gateway's limit on a REST API request's headers: "Total combined size of all header values,
 * including header names, values, any line terminators, and white space" is 10240 bytes, 8000
 * bytes for private APIs (AWS docs "api-gateway-execution-service-limits-table"; not adjustable).
 * The request line is not counted for REST APIs (the "request line and header values" wording is
 * the HTTP API quota, "limits" page "http-api-quotas").
 */
export const MAX_HEADER_BYTES = 10_240
export const MAX_PRIVATE_HEADER_BYTES = 8_000

/**
 * API Gateway's limit on a REST API request's URL, in characters (AWS docs
 * "api-gateway-execution-service-limits-table"; not adjustable): 8192 for an edge-optimized API,
 * 10240 for a regional one, 8192 for a private one. Counted on the request target as sent (path
 * and query string, percent-escapes as sent), before anything reads the body.
 */
export const MAX_EDGE_URL_LENGTH = 8_192
export const MAX_REGIONAL_URL_LENGTH = 10_240
export const MAX_PRIVATE_URL_LENGTH = 8_192

/** The URL length an API of these endpoint types accepts (one type per API on AWS). */
export function maxUrlLength(types: readonly string[]): number {
  if (types.includes('PRIVATE')) return MAX_PRIVATE_URL_LENGTH
  if (types.includes('EDGE')) return MAX_EDGE_URL_LENGTH
  return MAX_REGIONAL_URL_LENGTH
}

/**
 * What Node's parser itself accepts before the gateway counts: the longest URL AWS accepts
 * (10240 characters, regional APIs), the headers' 10240 bytes and room for the request line.
 * Past it Node's parser refuses the request without calling the gateway: the listeners' clientError
 * handler (`client-error.ts`) answers 431 with a JSON body and closes the connection.
 */
export const MAX_HEAD_BYTES = 24 * 1024

/** The bytes of a request's header section as sent: `name: value\r\n` per header (Node keeps them latin1). */
export function headerSectionBytes(rawHeaders: readonly string[]): number {
  let bytes = 0
  for (let i = 0; i + 1 < rawHeaders.length; i += 2)
    bytes += (rawHeaders[i] as string).length + (rawHeaders[i + 1] as string).length + 4
  return bytes
}

/**
 * Connections refused with `Connection: close`. Node's parser has already dispatched any request
 * pipelined behind a refused one (its answer is never written, the connection closes first): such
 * a request must not reach a backend either, so every handler asks `isClosing` before acting.
 */
const closing = new WeakSet<object>()

/** Marks the request's connection as refused: nothing more on it is served. */
export function refuseConnection(req: IncomingMessage): void {
  // A request whose body read was cut short (a chunked body past 10 MB) has no socket any more.
  if (typeof req.socket === 'object' && req.socket !== null) closing.add(req.socket)
}

/** Whether an earlier request on this connection was refused. */
export function isClosing(req: IncomingMessage): boolean {
  return typeof req.socket === 'object' && req.socket !== null && closing.has(req.socket)
}
