import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TurnBatch } from '../../src/dataplane/turn-batch.js'
import { createApi, createPath, deploy, putMethodWithIntegration, putMockMethod } from '../support/apis.js'
import { startBackend, type TestBackend } from '../support/backend.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { rawExchange } from '../support/raw-http.js'

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

describe('TurnBatch', () => {
  it("does a turn's first item at once and the rest together in the check phase, in order", async () => {
    const done: string[] = []
    const batch = new TurnBatch<string>(
      (item) => done.push(item),
      () => undefined,
    )
    batch.add('a')
    expect(done).toEqual(['a'])
    batch.add('b')
    batch.add('c')
    expect(done).toEqual(['a'])
    await nextTurn()
    expect(done).toEqual(['a', 'b', 'c'])
    // A new turn: its first item at once again.
    await nextTurn()
    batch.add('d')
    expect(done).toEqual(['a', 'b', 'c', 'd'])
  })

  it('does the others when one throws, and tells of the one that failed', async () => {
    const done: string[] = []
    const failed: string[] = []
    const batch = new TurnBatch<string>(
      (item) => {
        if (item.startsWith('bad')) throw new Error(item)
        done.push(item)
      },
      (item, error) => failed.push(`${item}: ${(error as Error).message}`),
    )
    batch.add('bad first')
    batch.add('b')
    batch.add('bad held')
    batch.add('c')
    await nextTurn()
    expect(done).toEqual(['b', 'c'])
    expect(failed).toEqual(['bad first: bad first', 'bad held: bad held'])
  })

  it('survives a failure handler that throws (inside setImmediate it would end the process)', async () => {
    const done: string[] = []
    const batch = new TurnBatch<string>(
      (item) => {
        if (item === 'bad') throw new Error('run')
        done.push(item)
      },
      () => {
        throw new Error('failed too')
      },
    )
    batch.add('a')
    batch.add('bad')
    batch.add('c')
    await nextTurn()
    expect(done).toEqual(['a', 'c'])
  })

  it('flush() does the held items at once', () => {
    const done: string[] = []
    const batch = new TurnBatch<string>(
      (item) => done.push(item),
      () => undefined,
    )
    batch.add('a')
    batch.add('b')
    batch.flush()
    expect(done).toEqual(['a', 'b'])
  })
})

describe('answers written together', () => {
  let tg: TestGateway
  let backend: TestBackend
  let apiId: string
  beforeAll(async () => {
    tg = await startTestGateway()
    backend = await startBackend((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ path: req.url }))
    })
    const ids = await createApi(tg.client)
    apiId = ids.apiId
    await putMockMethod(tg.client, apiId, ids.rootId, 'GET', `{"n": "$input.params('n')"}`)
    const proxy = await createPath(tg.client, apiId, ids.rootId, '{proxy+}')
    await putMethodWithIntegration(
      tg.client,
      apiId,
      proxy,
      'ANY',
      {
        type: 'HTTP_PROXY',
        integrationHttpMethod: 'ANY',
        uri: `${backend.url}/{proxy}`,
        requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
      },
      { requestParameters: { 'method.request.path.proxy': true } },
    )
    await deploy(tg.client, apiId, 'dev')
  })
  afterAll(async () => {
    await tg.close()
    await backend.close()
  })

  it('answers requests pipelined on one connection in one write, each its own, in order', async () => {
    // Parsed in one turn: the first answer goes out at once, the other nine are held to the turn's end.
    const requests = Array.from(
      { length: 10 },
      (_, n) => `GET /_aws/execute-api/${apiId}/dev/?n=${n} HTTP/1.1\r\nHost: x\r\n\r\n`,
    ).join('')
    const exchange = await rawExchange(tg.url, requests, { untilResponses: 10 })
    const bodies = [...exchange.text.matchAll(/\r\n\r\n(\{"n": "\d+"\})/g)].map((m) => m[1])
    expect(bodies).toEqual(Array.from({ length: 10 }, (_, n) => `{"n": "${n}"}`))
    expect(exchange.text.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(10)
  })

  it('answers 40 connections sending at once, MOCK and HTTP_PROXY, each with its own answer', async () => {
    const one = async (n: number): Promise<string> => {
      const path = n % 2 === 0 ? `/?n=${n}` : `/item-${n}`
      const request = `GET /_aws/execute-api/${apiId}/dev${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`
      return (await rawExchange(tg.url, request)).text
    }
    const answers = await Promise.all(Array.from({ length: 40 }, (_, n) => one(n)))
    answers.forEach((text, n) => {
      expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
      const body = text.slice(text.indexOf('\r\n\r\n') + 4)
      expect(JSON.parse(body)).toEqual(n % 2 === 0 ? { n: String(n) } : { path: `/item-${n}` })
    })
  })
})
