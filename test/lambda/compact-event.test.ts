import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compactEvent, ExecutionEnvironment, NOT_RUN } from '../../src/lambda/runtime/environment.js'

// A proxy event's multi-value maps that only repeat their single-value twins are sent to the
// function's process as 0 and rebuilt there (compactEvent, node-runner.mjs): the handler must see
// the very event the gateway built, keys in the same order, `__proto__` an ordinary key.

/** A proxy event as JSON text, so that `__proto__` and `constructor` are own keys, as parsed. */
const EVENT_TEXT = JSON.stringify({
  resource: '/{proxy+}',
  path: '/a',
  httpMethod: 'GET',
  headers: { Host: 'h', 'X-One': '1', constructor: 'c', PLACEHOLDER: 'p' },
  multiValueHeaders: { Host: ['h'], 'X-One': ['1'], constructor: ['c'], PLACEHOLDER: ['p'] },
  queryStringParameters: { q: 'x' },
  multiValueQueryStringParameters: { q: ['x'] },
  pathParameters: null,
  requestContext: { requestId: 'r' },
  body: null,
  isBase64Encoded: false,
}).replaceAll('PLACEHOLDER', '__proto__')

const proxyEvent = (): Record<string, unknown> => JSON.parse(EVENT_TEXT) as Record<string, unknown>

describe('compactEvent', () => {
  it('sends multi-value maps of one value per key as 0, in place, without changing the event', () => {
    const event = proxyEvent()
    const sent = compactEvent(event)
    expect(sent.rebuild).toEqual([
      ['multiValueHeaders', 'headers'],
      ['multiValueQueryStringParameters', 'queryStringParameters'],
    ])
    const copy = sent.event as Record<string, unknown>
    expect(Object.keys(copy)).toEqual(Object.keys(event))
    expect(copy['multiValueHeaders']).toBe(0)
    expect(copy['multiValueQueryStringParameters']).toBe(0)
    expect(copy['headers']).toBe(event['headers'])
    expect(JSON.stringify(event)).toBe(EVENT_TEXT)
  })

  it('sends as they are the maps that hold more than a repeat', () => {
    const cases: [string, (event: Record<string, unknown>) => void][] = [
      [
        'a header sent twice',
        (e) => ((e['multiValueHeaders'] as Record<string, unknown>)['X-One'] = ['0', '1']),
      ],
      ['keys in another order', (e) => (e['multiValueHeaders'] = { 'X-One': ['1'], Host: ['h'] })],
      ['a key missing', (e) => delete (e['multiValueHeaders'] as Record<string, unknown>)['Host']],
      ['a value that differs', (e) => ((e['multiValueHeaders'] as Record<string, unknown>)['Host'] = ['H'])],
      ['a value not a list', (e) => ((e['multiValueHeaders'] as Record<string, unknown>)['Host'] = 'h')],
      ['a single value not a string', (e) => ((e['headers'] as Record<string, unknown>)['Host'] = 1)],
      ['no single-value twin', (e) => (e['headers'] = null)],
    ]
    for (const [name, change] of cases) {
      const event = proxyEvent()
      change(event)
      const sent = compactEvent(event)
      expect(sent.rebuild, name).toEqual([['multiValueQueryStringParameters', 'queryStringParameters']])
      expect((sent.event as Record<string, unknown>)['multiValueHeaders'], name).toBe(
        event['multiValueHeaders'],
      )
    }
    for (const payload of [null, 'text', [1, 2], { headers: {} }]) {
      expect(compactEvent(payload)).toEqual({ event: payload })
    }
  })
})

describe('a compacted event in the function', () => {
  let dir: string
  let env: ExecutionEnvironment
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-compact-'))
    writeFileSync(
      join(dir, 'index.js'),
      `exports.handler = async (event) => ({
        text: JSON.stringify(event),
        plain: Object.getPrototypeOf(event.multiValueHeaders) === Object.prototype,
        protoList: Array.isArray(Object.getOwnPropertyDescriptor(event.multiValueHeaders, '__proto__')?.value),
      })`,
    )
    env = new ExecutionEnvironment({
      functionName: 'compact-fn',
      codeDir: dir,
      handler: 'index.handler',
      memoryMb: 128,
      timeoutSeconds: 10,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LAMBDA_TASK_ROOT: dir, _HANDLER: 'index.handler' },
    })
    await env.initialised
  })
  afterAll(() => {
    env.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  it('is the event the gateway built, key for key and in order', async () => {
    const outcome = await env.invoke('req-1', proxyEvent(), { awsRequestId: 'req-1' })
    if (outcome === NOT_RUN) throw new Error('given back unrun')
    const seen = JSON.parse(outcome.payload) as { text: string; plain: boolean; protoList: boolean }
    expect(seen.text).toBe(EVENT_TEXT)
    expect(seen.plain).toBe(true)
    expect(seen.protoList).toBe(true)
  })
})
