import { describe, expect, it } from 'vitest'
import { clientErrorResponse } from '../../src/dataplane/client-error.js'

/** Status line and JSON body of an answer written by hand. */
function parse(response: string | undefined): { statusLine: string; headers: string[]; body: unknown } {
  const [head = '', body = ''] = (response ?? '').split('\r\n\r\n')
  const [statusLine = '', ...headers] = head.split('\r\n')
  return { statusLine, headers, body: JSON.parse(body) }
}

describe("answers to what Node's HTTP parser refuses", () => {
  it.each([
    [
      'HPE_HEADER_OVERFLOW',
      'HTTP/1.1 431 Request Header Fields Too Large',
      'Request Header Fields Too Large',
    ],
    ['ERR_HTTP_REQUEST_TIMEOUT', 'HTTP/1.1 408 Request Timeout', 'Request Timeout'],
    ['HPE_CHUNK_EXTENSIONS_OVERFLOW', 'HTTP/1.1 413 Payload Too Large', 'Request Too Long'],
    ['HPE_INVALID_METHOD', 'HTTP/1.1 400 Bad Request', 'Bad Request'],
    ['HPE_INVALID_HEADER_TOKEN', 'HTTP/1.1 400 Bad Request', 'Bad Request'],
    [undefined, 'HTTP/1.1 400 Bad Request', 'Bad Request'],
  ])('%s: %s', (code, statusLine, message) => {
    const response = clientErrorResponse(code)
    const body = JSON.stringify({ message })
    expect(parse(response)).toEqual({
      statusLine,
      headers: ['Content-Type: application/json', `Content-Length: ${body.length}`, 'Connection: close'],
      body: { message },
    })
  })

  it('answers nothing to a connection the client reset', () => {
    expect(clientErrorResponse('ECONNRESET')).toBeUndefined()
  })
})
