import { Hash } from '@smithy/hash-node'
import { SignatureV4 } from '@smithy/signature-v4'
import { describe, expect, it } from 'vitest'
import { verifySigV4, type SignedRequest } from '../../src/auth/sigv4/verify.js'

// SigV4 verification against @smithy/signature-v4, the signer the AWS SDKs use (AWS docs
// "Create a signed AWS API request").

const KEY = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }
const lookup = (id: string) => (id === KEY.accessKeyId ? KEY : undefined)
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0)

const signer = (secretAccessKey = KEY.secretAccessKey) =>
  new SignatureV4({
    service: 'execute-api',
    region: 'us-east-1',
    credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey },
    sha256: Hash.bind(null, 'sha256'),
  })

interface Unsigned {
  method?: string
  path?: string
  query?: Record<string, string | string[]>
  headers?: Record<string, string>
  body?: string
}

const base = (r: Unsigned) => ({
  method: r.method ?? 'POST',
  protocol: 'http:',
  hostname: '127.0.0.1',
  port: 4566,
  path: r.path ?? '/_aws/execute-api/abc123/prod/pets',
  query: r.query ?? {},
  headers: { host: '127.0.0.1:4566', 'content-type': 'application/json', ...r.headers },
  ...(r.body !== undefined ? { body: r.body } : {}),
})

/** What a server sees of a signed request. */
function received(signed: {
  method: string
  path: string
  query?: Record<string, unknown>
  headers: Record<string, string>
  body?: unknown
}): SignedRequest {
  const query = Object.entries(signed.query ?? {})
    .flatMap(([k, v]) =>
      (Array.isArray(v) ? v : [v]).map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(String(x))}`),
    )
    .join('&')
  return {
    method: signed.method,
    path: signed.path,
    query,
    headers: signed.headers,
    body: Buffer.from(typeof signed.body === 'string' ? signed.body : ''),
  }
}

async function sign(r: Unsigned, options: { at?: number; secret?: string } = {}) {
  return received(await signer(options.secret).sign(base(r), { signingDate: new Date(options.at ?? NOW) }))
}
const verify = (req: SignedRequest, now = NOW) => verifySigV4(req, lookup, { now, service: 'execute-api' })
const MISMATCH = {
  ok: false,
  reason: 'mismatch',
  message:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
}

describe('SigV4 verification', () => {
  it('accepts what the SDK signer signs, header form and presigned', async () => {
    expect(verify(await sign({ body: '{"name":"rex"}' }))).toMatchObject({ ok: true, region: 'us-east-1' })
    const tricky = await sign({
      method: 'GET',
      path: '/_aws/execute-api/abc123/prod/pets/a%20b/%C3%A9t%C3%A9/x%2Fy',
      query: { z: 'last', a: ['2', '1'], 'sp ace': 'v w', empty: '' },
    })
    expect(verify(tricky).ok).toBe(true)
    const presigned = received(
      await signer().presign(base({ method: 'GET', query: { q: '1' } }), {
        signingDate: new Date(NOW),
        expiresIn: 300,
      }),
    )
    expect(presigned.headers['authorization']).toBeUndefined()
    expect(verify(presigned, NOW + 60_000).ok).toBe(true)
    expect(verify(presigned, NOW + 301_000)).toMatchObject({ ok: false, reason: 'expired' })
  })

  it('refuses a request changed after signing, a wrong secret and an unknown key', async () => {
    const signed = await sign({ body: '{"name":"rex"}', query: { q: '1' } })
    expect(verify({ ...signed, body: Buffer.from('{"name":"max"}') })).toEqual(MISMATCH)
    expect(verify({ ...signed, query: 'q=2' })).toEqual(MISMATCH)
    expect(verify({ ...signed, path: '/_aws/execute-api/abc123/prod/cats' })).toEqual(MISMATCH)
    expect(verify({ ...signed, headers: { ...signed.headers, 'content-type': 'text/plain' } })).toEqual(
      MISMATCH,
    )
    expect(verify(await sign({ body: 'x' }, { secret: 'not-the-secret' }))).toEqual(MISMATCH)
    const unknown = await sign({})
    unknown.headers = {
      ...unknown.headers,
      authorization: String(unknown.headers['authorization']).replace(KEY.accessKeyId, 'AKIDUNKNOWN'),
    }
    expect(verify(unknown)).toEqual({
      ok: false,
      reason: 'unknown_key',
      message: 'The security token included in the request is invalid.',
    })
  })

  it('holds the date to five minutes either way, in AWS words', async () => {
    const stale = await sign({}, { at: NOW - 6 * 60_000 })
    expect(verify(stale)).toEqual({
      ok: false,
      reason: 'expired',
      message:
        'Signature expired: 20261124T115400Z is now earlier than 20261124T115500Z (20261124T120000Z - 5 min.)',
    })
    expect(verify(await sign({}, { at: NOW + 6 * 60_000 }))).toMatchObject({ ok: false, reason: 'expired' })
    // Within the window an identical replay passes, as on AWS.
    const fresh = await sign({}, { at: NOW - 4 * 60_000 })
    expect([verify(fresh).ok, verify(fresh).ok]).toEqual([true, true])
  })

  it('takes UNSIGNED-PAYLOAD, refuses a wrong payload hash, and explains an incomplete header', async () => {
    const unsigned = await sign({ headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, body: 'anything' })
    expect(verify({ ...unsigned, body: Buffer.from('something else') }).ok).toBe(true)
    const wrongHash = await sign({ headers: { 'x-amz-content-sha256': 'a'.repeat(64) }, body: 'x' })
    expect(verify(wrongHash)).toEqual(MISMATCH)
    const incomplete = verify({
      method: 'GET',
      path: '/',
      query: '',
      headers: {
        authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/us-east-1/execute-api/aws4_request',
        'x-amz-date': '20261124T120000Z',
      },
      body: Buffer.alloc(0),
    })
    expect(incomplete).toEqual({
      ok: false,
      reason: 'incomplete',
      message:
        "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/us-east-1/execute-api/aws4_request",
    })
    expect(verify({ method: 'GET', path: '/', query: '', headers: {}, body: Buffer.alloc(0) })).toMatchObject(
      {
        ok: false,
        reason: 'missing',
      },
    )
  })
})
