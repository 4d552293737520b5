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
