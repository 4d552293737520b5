import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A request as the backend received it. */
export interface ReceivedRequest {
  method: string
  url: string
  headers: IncomingMessage['headers']
  rawHeaders: string[]
  body: Buffer
}

export interface TestBackend {
  url: string
  port: number
  received: ReceivedRequest[]
  close(): Promise<void>
}

type Handler = (req: ReceivedRequest, res: ServerResponse) => void

/**
 * A real HTTP backend on 127.0.0.1 for integration tests. By default it echoes the request as
 * JSON with a `Server: test-backend` header; `handler` replaces that.
 */
export async function startBackend(handler?: Handler): Promise<TestBackend> {
  const received: ReceivedRequest[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const entry: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks),
      }
      received.push(entry)
      if (handler) return handler(entry, res)
      res.writeHead(200, { 'content-type': 'application/json', server: 'test-backend', 'x-backend': 'echo' })
      res.end(
        JSON.stringify({
          method: entry.method,
          url: entry.url,
          headers: entry.headers,
          body: entry.body.toString(),
        }),
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
