import fc from 'fast-check'
import { anyJson, deepJsonText, hostileString, wellFormed } from './fuzz.js'

/** One generated data-plane call, sent with node:http (raw path, headers as given). */
export interface DataPlaneRequest {
  method: string
  path: string
  headers: Record<string, string>
  body?: Buffer
}

/** What the fixture deployed: ids the generator aims at. */
export interface DataPlaneTargets {
  apiId: string
  lambdaApiId: string
  apiKey: string
}

/** Methods Node's parser reads (others are refused by Node itself before any gateway code). */
const METHODS = [
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'HEAD',
  'OPTIONS',
  'PROPFIND',
  'PURGE',
  'SEARCH',
  'MKCOL',
]

const KNOWN_SEGMENTS = ['items', 'validated', 'keyed', 'http', 'fn', 'a', '1', 'pets', '{id}', '']

/**
 * Path segments as sent: known words, encodings, traversal forms, long runs. Raw bytes outside
 * printable ASCII are left out: Node's parser refuses them (400, from the listeners' clientError
 * handler) before any gateway code.
 */
const segment: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...KNOWN_SEGMENTS) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '%2F',
      '%2f..%2f',
      '..',
      '.',
      '%2e%2e',
      '%00',
      '%',
      '%zz',
      '%E2%82',
      '%F0%9F%A6%84',
      '%C0%AF',
      '+',
      ';a=1',
      '~',
      '*',
      '{proxy+}',
      '$',
      'a'.repeat(4_000),
    ),
  },
  { weight: 2, arbitrary: hostileString.map((s) => encodeURIComponent(wellFormed(s.slice(0, 500)))) },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.integer({ min: 0x21, max: 0x7e }), { minLength: 1, maxLength: 12 })
      .map((codes) => String.fromCharCode(...codes).replace(/[/?#]/g, '_')),
  },
)

const query: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  {
    weight: 3,
    arbitrary: fc
      .array(
        fc.tuple(
          fc.oneof(fc.constantFrom('q', 'a', 'q[]', 'a.b', '', '__proto__'), hostileString),
          fc.oneof(fc.constantFrom('1', '', 'x y', '"'), hostileString),
        ),
        { maxLength: 5 },
      )
      .map(
        (pairs) =>
          `?${new URLSearchParams(pairs.map(([k, v]): [string, string] => [wellFormed(k), wellFormed(v.slice(0, 2_000))])).toString()}`,
      ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('?%zz', '?q=%', '?q=1&q=2&q=', '?&&', '?q=%00', '?;', '?q=%C3'),
  },
)

/** A header value Node's client can send: tab, printable ASCII and Latin-1. */
const headerValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    'application/json',
    'a'.repeat(2_000),
    '\u00e9\u00ff',
    '"',
    ',,,',
    '=?utf-8?b?AA==?=',
  ),
  fc
    .array(
      fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f),
      { maxLength: 40 },
    )
    .map((codes) => String.fromCharCode(...codes)),
)
const headerName = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,30}$/)

function headers(targets: DataPlaneTargets): fc.Arbitrary<Record<string, string>> {
  const known = fc.record(
    {
      'content-type': fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'text/plain',
        'application/octet-stream',
        'image/png',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        '*/*',
        ';;',
        'application/json; charset=latin-1',
      ),
      accept: fc.constantFrom('application/json', 'image/png', '*/*', 'text/html;q=0.1', ''),
      'x-api-key': fc.oneof(fc.constant(targets.apiKey), headerValue),
      'x-req': headerValue,
      authorization: headerValue,
      'content-encoding': fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x'),
      'x-forwarded-for': fc.constantFrom('1.2.3.4', 'nope', '::1, 10.0.0.1', ''),
      cookie: headerValue,
      'x-amz-date': headerValue,
      'x-amzn-trace-id': headerValue,
    },
    { requiredKeys: [] },
  )
  const random = fc.array(fc.tuple(headerName, headerValue), { maxLength: 4 })
  return fc.tuple(known, random).map(([k, r]) => ({
    ...Object.fromEntries(r.filter(([name]) => !FRAMING.has(name.toLowerCase()))),
    ...k,
  }))
}

/** Headers that frame the message or the connection: the malformed-requests suite covers them. */
const FRAMING = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'host',
  'expect',
  'upgrade',
  'te',
  'trailer',
  'keep-alive',
])

const body: fc.Arbitrary<Buffer | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  {
    weight: 4,
    arbitrary: anyJson.map((value) => Buffer.from(JSON.stringify(value) ?? 'null')),
  },
  { weight: 1, arbitrary: deepJsonText(30_000).map((text) => Buffer.from(text)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 4_096 }).map((bytes) => Buffer.from(bytes)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x22, 0x7d]),
      Buffer.from('{"name": "rex"}'),
      Buffer.from('{"name": 1}'),
      Buffer.from('{"a": {"b": "c"}}'),
      Buffer.from('x'.repeat(300_000)),
      Buffer.from('\u0000'),
    ),
  },
)

/** A data-plane request for the fixture's APIs, in any of the three URL forms. */
export function dataPlaneRequest(targets: DataPlaneTargets): fc.Arbitrary<DataPlaneRequest> {
  const { apiId, lambdaApiId } = targets
  const base = fc.oneof(
    { weight: 10, arbitrary: fc.constant({ prefix: `/_aws/execute-api/${apiId}/prod`, host: undefined }) },
    {
      weight: 3,
      arbitrary: fc.constant({ prefix: `/_aws/execute-api/${lambdaApiId}/prod/fn`, host: undefined }),
    },
    { weight: 1, arbitrary: fc.constant({ prefix: '/prod', host: `${apiId}.execute-api.localhost` }) },
    {
      weight: 1,
      arbitrary: fc.constant({ prefix: `/restapis/${apiId}/prod/_user_request_`, host: undefined }),
    },
    { weight: 1, arbitrary: fc.constant({ prefix: `/_aws/execute-api/${apiId}/nope`, host: undefined }) },
    { weight: 1, arbitrary: fc.constant({ prefix: '/_aws/execute-api/zzzzzzzzzz/prod', host: undefined }) },
  )
  return fc
    .record({
      method: fc.constantFrom(...METHODS),
      base,
      segments: fc.array(segment, { maxLength: 5 }),
      trailingSlash: fc.boolean(),
      query,
      headers: headers(targets),
      body,
    })
    .map(
      ({ method, base: { prefix, host }, segments, trailingSlash, query: search, headers: h, body: b }) => {
        const tail = segments.length === 0 ? '' : `/${segments.join('/')}`
        const path = `${prefix}${tail}${trailingSlash ? '/' : ''}${search}`.slice(0, 8_000)
        // The whole head within Node's 24 KiB limit (beyond it Node's parser refuses it: 431 from the
        // listeners' clientError handler, covered by header-limits.test.ts).
        let budget = 10_000 - path.length
        const within = Object.fromEntries(
          Object.entries(h).map(([name, value]) => {
            const kept = value.slice(0, Math.max(0, budget - name.length - 4))
            budget -= name.length + 4 + kept.length
            return [name, kept]
          }),
        )
        return {
          method,
          path,
          headers: host ? { ...within, host } : within,
          ...(b !== undefined ? { body: b } : {}),
        }
      },
    )
}
