import { APIGatewayClient } from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll } from 'vitest'
import { startBackend, type TestBackend } from './backend.js'
import { loadConfig, type TollgateConfig } from '../../src/config/config.js'
import { startGateway, type Gateway } from '../../src/server.js'

export interface TestGateway {
  gateway: Gateway
  url: string
  /** An AWS SDK client pointed at the gateway, with throwaway credentials. */
  client: APIGatewayClient
  close(): Promise<void>
}

/** Starts a real gateway on a free port of 127.0.0.1 (in-memory store unless a data dir is given). */
export async function startTestGateway(overrides: Partial<TollgateConfig> = {}): Promise<TestGateway> {
  const config = loadConfig({ port: 0, dataDir: ':memory:', logLevel: 'silent', ...overrides }, {})
  const gateway = await startGateway(config)
  const client = sdkClient(gateway.url)
  return {
    gateway,
    url: gateway.url,
    client,
    close: async () => {
      client.destroy()
      await gateway.close()
    },
  }
}

export function sdkClient(endpoint: string): APIGatewayClient {
  return new APIGatewayClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  })
}

/** A raw management call, for bodies the SDK would refuse to send. */
export async function rawCall(
  url: string,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; errorType: string | null; json: unknown }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined ? { body } : {}),
  })
  const text = await response.text()
  return {
    status: response.status,
    errorType: response.headers.get('x-amzn-errortype'),
    json: text === '' ? undefined : JSON.parse(text),
  }
}

/**
 * A gateway and an echo backend for the tests of one `describe`: started before them (then
 * `setUp` runs, e.g. to create and deploy an API), stopped after. Read them in tests, not at
 * collection time.
 */
export function gatewayWithBackend(setUp: (tg: TestGateway, backend: TestBackend) => Promise<void>): {
  readonly tg: TestGateway
  readonly backend: TestBackend
} {
  let tg: TestGateway | undefined
  let backend: TestBackend | undefined
  beforeAll(async () => {
    tg = await startTestGateway()
    backend = await startBackend()
    await setUp(tg, backend)
  })
  afterAll(async () => {
    await tg?.close()
    await backend?.close()
  })
  return {
    get tg() {
      if (!tg) throw new Error('the gateway starts in beforeAll')
      return tg
    },
    get backend() {
      if (!backend) throw new Error('the backend starts in beforeAll')
      return backend
    },
  }
}
