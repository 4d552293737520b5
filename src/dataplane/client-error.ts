import type { ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'

/**
 * The answer to a request Node's HTTP parser refused before any handler saw it (Node docs, HTTP
 * "Event: 'clientError'"), by the error's code: a head past `maxHeaderSize` is 431, a request not
 * received within `headersTimeout` / `requestTimeout` is 408, chunk extensions past Node's limit
 * are 413 and any other parse error (`HPE_*`: a malformed request line, header or chunk, conflicting
 * Content-Length and Transfer-Encoding) is 400 — Node's own statuses, with the `{"message": ...}`
 * body every other refusal of the gateway carries. AWS documents none of these bodies; the words
 * are the statuses' and those of our other refusals (431, 413). Undefined when the client is gone
 * (ECONNRESET) and nothing can be answered.
 */
export function clientErrorResponse(code: string | undefined): string | undefined {
  if (code === 'ECONNRESET') return undefined
  const [status, reason, message] =
    code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'Request Header Fields Too Large']
      : code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'Request Timeout']
        : code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW'
          ? [413, 'Payload Too Large', 'Request Too Long']
          : [400, 'Bad Request', 'Bad Request']
  const body = JSON.stringify({ message })
  return (
    `HTTP/1.1 ${status} ${reason}\r\n` +
    'Content-Type: application/json\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  )
}

/**
 * The 'clientError' listener of every listener: writes the answer by hand (there is no response
 * object) when nothing of a response has gone out on the connection yet, then closes it. Node's
 * default listener does the same with an empty body; a listener of our own replaces it, so it
 * must also destroy the socket in every case.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  const response = clientErrorResponse(error.code)
  // A response in flight whose head is written (a pipelined request's parse error while the one
  // before is answered): bytes of ours would corrupt it, so the connection just closes.
  const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage
  if (response !== undefined && socket.writable && !inFlight?.headersSent) socket.write(response)
  socket.destroy()
}
