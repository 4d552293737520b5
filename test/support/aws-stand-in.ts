import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { verifySigV4 } from '../../src/auth/sigv4/verify.js'

/**
 * A stand-in for one AWS service on 127.0.0.1: it checks each request's SigV4 signature with
 * Tollgate's verifier (not the signer that made it: @smithy/signature-v4) against one key, then
 * lets `handler` answer as the service's API documents. Not AWS: see docs/aws-integrations.md.
 */
export interface StandInRequest {
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingMessage['headers']
  body: Buffer
}

export interface AwsStandIn {
  url: string
  received: StandInRequest[]
  close(): Promise<void>
}

export const STAND_IN_KEY = {
  accessKeyId: 'AKIDSTANDIN000000000',
  secretAccessKey: 'stand-in-secret-key-000000000000000000000',
}

export async function startAwsStandIn(
  service: string,
  handler: (req: StandInRequest, res: ServerResponse) => void,
): Promise<AwsStandIn> {
  const received: StandInRequest[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const [path = '/', query = ''] = (req.url ?? '/').split('?')
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(req.headers))
        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v
      const verdict = verifySigV4(
        { method: req.method ?? 'GET', path, query, headers, body },
        (id) => (id === STAND_IN_KEY.accessKeyId ? STAND_IN_KEY : undefined),
        { now: Date.now(), service, singleEncodedPath: service === 's3' },
      )
      if (!verdict.ok) {
        res.writeHead(403, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ __type: 'InvalidSignatureException', message: verdict.message }))
        return
      }
      const entry = {
        method: req.method ?? 'GET',
        path,
        query: new URLSearchParams(query),
        headers: req.headers,
        body,
      }
      received.push(entry)
      handler(entry, res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
