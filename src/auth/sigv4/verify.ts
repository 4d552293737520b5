import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Verifies AWS Signature Version 4 on a received request (AWS docs "Create a signed AWS API
 * request", "Signature Version 4 signing process"): the header form (`Authorization:
 * AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`) and the presigned query form
 * (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders`,
 * `X-Amz-Signature`). Written on node:crypto because no maintained library verifies; the
 * canonical forms follow @smithy/signature-v4 (the signer the AWS SDKs use, our test oracle).
 */

export interface SignedRequest {
  method: string
  /** The request-target path as received (percent-encoded), without the query. */
  path: string
  /** The raw query string, without `?`. */
  query: string
  /** Header name → value (names in any case; repeated headers joined by `,`). */
  headers: Readonly<Record<string, string | undefined>>
  body: Buffer
}

export interface Credential {
  accessKeyId: string
  secretAccessKey: string
  /** The IAM identity the key belongs to (`arn:aws:iam::{account}:user/{name}`). */
  userArn?: string | undefined
}

export type VerifyResult =
  | { ok: true; credential: Credential; region: string; service: string }
  | {
      ok: false
      reason: 'missing' | 'incomplete' | 'unknown_key' | 'mismatch' | 'expired' | 'region'
      message: string
    }

const ALGORITHM = 'AWS4-HMAC-SHA256'
/** The longest X-Amz-Expires of a presigned request: 7 days. */
const MAX_EXPIRES_SECONDS = 604_800
const DEFAULT_SKEW_MS = 5 * 60_000

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex')
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest()

/** RFC 3986 escaping as the SDK signer does it (`encodeURIComponent` plus `!'()*`). */
const escapeUri = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

const safeDecode = (value: string): string => {
  try {
    return decodeURIComponent(value.replace(/\+/g, '%20'))
  } catch {
    return value
  }
}

/** The canonical URI: segments normalised, then the received (already encoded) path encoded again. */
function canonicalPath(path: string): string {
  const segments: string[] = []
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') segments.pop()
    else segments.push(segment)
  }
  const normalised = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`
  return escapeUri(normalised).replace(/%2F/g, '/')
}

/** The canonical query: pairs decoded then escaped, sorted by key then by pair; the signature left out. */
function canonicalQuery(query: string): string {
  const byKey = new Map<string, string[]>()
  for (const part of query.split('&')) {
    if (!part) continue
    const eq = part.indexOf('=')
    const key = safeDecode(eq === -1 ? part : part.slice(0, eq))
    if (key.toLowerCase() === 'x-amz-signature') continue
    const value = eq === -1 ? '' : safeDecode(part.slice(eq + 1))
    const encodedKey = escapeUri(key)
    const list = byKey.get(encodedKey) ?? []
    list.push(`${encodedKey}=${escapeUri(value)}`)
    byKey.set(encodedKey, list)
  }
  return [...byKey.keys()]
    .sort()
    .map((key) => (byKey.get(key) ?? []).sort().join('&'))
    .join('&')
}

/** `20261124T101500Z` → epoch ms (NaN when malformed). */
const amzDateMs = (value: string): number => {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value)
  if (!m) return Number.NaN
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  return Date.UTC(year, month - 1, day, hour, minute, second)
}
const amzDate = (ms: number): string => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '')

interface Parts {
  accessKeyId: string
  scopeDate: string
  region: string
  service: string
  signedHeaders: string[]
  signature: string
  date: string
  /** Presigned URLs only. */
  expiresSeconds?: number
}

function header(req: SignedRequest, name: string): string | undefined {
  const lower = name.toLowerCase()
  for (const [key, value] of Object.entries(req.headers)) if (key.toLowerCase() === lower) return value
  return undefined
}

/** The signature's parts from the Authorization header or the presigned query, or why not. */
function readParts(req: SignedRequest): Parts | VerifyResult {
  const authorization = header(req, 'authorization')
  const params = new URLSearchParams(req.query)
  let credential: string | undefined
  let signedHeaders: string | undefined
  let signature: string | undefined
  let date: string | undefined
  let expiresSeconds: number | undefined
  if (authorization) {
    if (!authorization.startsWith(`${ALGORITHM} `))
      return {
        ok: false,
        reason: 'incomplete',
        message: `Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=${authorization}`,
      }
    const fields = new Map<string, string>()
    for (const piece of authorization.slice(ALGORITHM.length + 1).split(',')) {
      const [key = '', ...rest] = piece.trim().split('=')
      fields.set(key, rest.join('='))
    }
    credential = fields.get('Credential')
    signedHeaders = fields.get('SignedHeaders')
    signature = fields.get('Signature')
    const xAmzDate = header(req, 'x-amz-date')
    const dateHeader = header(req, 'date')
    date =
      xAmzDate ??
      (dateHeader && !Number.isNaN(Date.parse(dateHeader)) ? amzDate(Date.parse(dateHeader)) : undefined)
    const missing = [
      credential ? '' : "Authorization header requires 'Credential' parameter.",
      signature ? '' : "Authorization header requires 'Signature' parameter.",
      signedHeaders ? '' : "Authorization header requires 'SignedHeaders' parameter.",
      date ? '' : "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    ].filter(Boolean)
    if (missing.length)
      return {
        ok: false,
        reason: 'incomplete',
        message: `${missing.join(' ')} Authorization=${authorization}`,
      }
  } else if (params.has('X-Amz-Signature') || params.has('X-Amz-Algorithm')) {
    credential = params.get('X-Amz-Credential') ?? undefined
    signedHeaders = params.get('X-Amz-SignedHeaders') ?? undefined
    signature = params.get('X-Amz-Signature') ?? undefined
    date = params.get('X-Amz-Date') ?? undefined
    expiresSeconds = Number(params.get('X-Amz-Expires') ?? 'NaN')
    const missing = [
      'X-Amz-Algorithm',
      'X-Amz-Credential',
      'X-Amz-Signature',
      'X-Amz-SignedHeaders',
      'X-Amz-Date',
    ]
      .filter((name) => !params.get(name))
      .map((name) => `AWS query-string parameters must include '${name}'.`)
    if (params.get('X-Amz-Algorithm') && params.get('X-Amz-Algorithm') !== ALGORITHM)
      missing.push(`X-Amz-Algorithm only supports '${ALGORITHM}'.`)
    if (missing.length)
      return {
        ok: false,
        reason: 'incomplete',
        message: `${missing.join(' ')} Re-examine the query-string parameters.`,
      }
  } else {
    return { ok: false, reason: 'missing', message: 'Missing Authentication Token' }
  }
  const [accessKeyId = '', scopeDate = '', region = '', service = '', terminator = ''] = (
    credential ?? ''
  ).split('/')
  if (!accessKeyId || terminator !== 'aws4_request' || !/^\d{8}$/.test(scopeDate))
    return {
      ok: false,
      reason: 'incomplete',
      message: `Credential should be scoped to a valid region, not '${region}'. Credential should be scoped to correct service: 'execute-api'. Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `,
    }
  return {
    accessKeyId,
    scopeDate,
    region,
    service,
    signedHeaders: (signedHeaders ?? '').split(';').filter(Boolean),
    signature: signature ?? '',
    date: date ?? '',
    ...(expiresSeconds !== undefined ? { expiresSeconds } : {}),
  }
}

/**
 * Checks a request's SigV4 signature against the keys `lookup` knows. The date must be within
 * `maxSkewMs` (5 minutes) of `now`, a presigned URL within its `X-Amz-Expires`; the scope's day must
 * be the date's day. An identical replay within the window passes, as on AWS (no nonces).
 */
export function verifySigV4(
  req: SignedRequest,
  lookup: (accessKeyId: string) => Credential | undefined,
  options: {
    now: number
    service: string
    /** The region a signature must be scoped to; any when unset. */
    region?: string
    maxSkewMs?: number
    singleEncodedPath?: boolean
  },
): VerifyResult {
  const parts = readParts(req)
  if ('ok' in parts) return parts
  const credential = lookup(parts.accessKeyId)
  if (!credential)
    return {
      ok: false,
      reason: 'unknown_key',
      message: 'The security token included in the request is invalid.',
    }
  const signedAt = amzDateMs(parts.date)
  if (Number.isNaN(signedAt))
    return { ok: false, reason: 'incomplete', message: `Invalid date format for X-Amz-Date: ${parts.date}` }
  const skew = options.maxSkewMs ?? DEFAULT_SKEW_MS
  const now = options.now
  // SigV4 presigned URLs live a week at most (AWS's SDK signers refuse more, S3 answers this text):
  // a URL signed for ten years would be a credential of its own.
  if (
    parts.expiresSeconds !== undefined &&
    Number.isFinite(parts.expiresSeconds) &&
    !(
      Number.isInteger(parts.expiresSeconds) &&
      parts.expiresSeconds >= 1 &&
      parts.expiresSeconds <= MAX_EXPIRES_SECONDS
    )
  )
    return {
      ok: false,
      reason: 'incomplete',
      message: `X-Amz-Expires must be less than a week (in seconds) that is ${MAX_EXPIRES_SECONDS}`,
    }
  if (parts.expiresSeconds !== undefined) {
    if (
      !Number.isFinite(parts.expiresSeconds) ||
      now > signedAt + parts.expiresSeconds * 1000 ||
      signedAt > now + skew
    )
      return {
        ok: false,
        reason: 'expired',
        message: `Signature expired: ${parts.date} is now earlier than ${amzDate(now - parts.expiresSeconds * 1000)} (${amzDate(now)} - ${parts.expiresSeconds} sec.)`,
      }
  } else if (signedAt < now - skew) {
    return {
      ok: false,
      reason: 'expired',
      message: `Signature expired: ${parts.date} is now earlier than ${amzDate(now - skew)} (${amzDate(now)} - 5 min.)`,
    }
  } else if (signedAt > now + skew) {
    return {
      ok: false,
      reason: 'expired',
      message: `Signature not yet current: ${parts.date} is still later than ${amzDate(now + skew)} (${amzDate(now)} + 5 min.)`,
    }
  }
  if (parts.scopeDate !== parts.date.slice(0, 8) || parts.service !== options.service)
    return { ok: false, reason: 'mismatch', message: mismatch }
  if (options.region !== undefined && parts.region !== options.region)
    return {
      ok: false,
      reason: 'region',
      message: `Credential should be scoped to a valid region, not '${parts.region}'. `,
    }
  const canonicalHeaders: string[] = []
  for (const name of parts.signedHeaders) {
    const value = header(req, name)
    if (value === undefined) return { ok: false, reason: 'mismatch', message: mismatch }
    canonicalHeaders.push(`${name}:${value.trim().replace(/\s+/g, ' ')}`)
  }
  const declaredHash = header(req, 'x-amz-content-sha256')
  const bodyHash = sha256Hex(req.body)
  if (declaredHash !== undefined && declaredHash !== 'UNSIGNED-PAYLOAD' && declaredHash !== bodyHash)
    return { ok: false, reason: 'mismatch', message: mismatch }
  const canonicalRequest = [
    req.method,
    // S3 signs the path as sent (encoded once); every other service encodes it again.
    options.singleEncodedPath ? req.path : canonicalPath(req.path),
    canonicalQuery(req.query),
    `${canonicalHeaders.join('\n')}\n`,
    parts.signedHeaders.join(';'),
    declaredHash ?? bodyHash,
  ].join('\n')
  const scope = `${parts.scopeDate}/${parts.region}/${parts.service}/aws4_request`
  const stringToSign = [ALGORITHM, parts.date, scope, sha256Hex(canonicalRequest)].join('\n')
  let key = hmac(`AWS4${credential.secretAccessKey}`, parts.scopeDate)
  for (const step of [parts.region, parts.service, 'aws4_request']) key = hmac(key, step)
  const expected = Buffer.from(hmac(key, stringToSign).toString('hex'))
  const given = Buffer.from(parts.signature)
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return { ok: false, reason: 'mismatch', message: mismatch }
  return { ok: true, credential, region: parts.region, service: parts.service }
}

const mismatch =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'
