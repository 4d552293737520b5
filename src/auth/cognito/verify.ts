import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose'

/**
 * Cognito user pool tokens for COGNITO_USER_POOLS authorizers (AWS docs "Verifying a JSON web
 * token" for user pools; API Gateway "apigateway-integrate-with-cognito"): RS256 signatures
 * checked against the pool's JWKS, `exp`, `iss` one of the authorizer's pools, `token_use`.
 */

/** `arn:aws:cognito-idp:{region}:{account}:userpool/{poolId}` → its issuer URL. */
export function issuerFor(providerArn: string, issuerBase?: string): string | undefined {
  const match = /^arn:aws[\w-]*:cognito-idp:([\w-]+):\d{12}:userpool\/([\w-]+)$/.exec(providerArn)
  if (!match) return undefined
  const [, region = '', poolId = ''] = match
  // A local identity provider stands in for Cognito when configured (tests, offline work).
  return issuerBase
    ? `${issuerBase.replace(/\/+$/, '')}/${poolId}`
    : `https://cognito-idp.${region}.amazonaws.com/${poolId}`
}

/** One JWKS fetcher per URL: jose caches keys and refetches on an unknown `kid`. */
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>()
const keySetFor = (issuer: string): ReturnType<typeof createRemoteJWKSet> => {
  const url = `${issuer}/.well-known/jwks.json`
  let set = keySets.get(url)
  if (!set) {
    set = createRemoteJWKSet(new URL(url), { timeoutDuration: 5_000, cooldownDuration: 30_000 })
    keySets.set(url, set)
  }
  return set
}

export type CognitoResult =
  | { ok: true; claims: Record<string, string>; payload: JWTPayload }
  /** AWS answers 401 {"message":"Unauthorized"} for every refused token; `reason` is for logs. */
  | { ok: false; reason: string }

/** The day of a Java `Date.toString()` (`Mon Nov 24 15:04:05 UTC 2026`), as claims show `exp` and `iat`. */
function javaDate(seconds: number): string {
  const d = new Date(seconds * 1000)
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${days[d.getUTCDay()] ?? ''} ${months[d.getUTCMonth()] ?? ''} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`
}

/**
 * Claims as `$context.authorizer.claims` holds them: strings; `exp` and `iat` as Java dates (as
 * REST API events show them), lists comma-joined.
 */
export function claimsOf(payload: JWTPayload): Record<string, string> {
  const claims: Record<string, string> = {}
  for (const [key, value] of Object.entries(payload)) {
    if ((key === 'exp' || key === 'iat') && typeof value === 'number') claims[key] = javaDate(value)
    else if (Array.isArray(value)) claims[key] = value.map(String).join(',')
    else if (value !== null && typeof value === 'object') claims[key] = JSON.stringify(value)
    else claims[key] = String(value)
  }
  return claims
}

/**
 * Verifies a token for a method: without `scopes` an ID token, with scopes an access token whose
 * `scope` holds at least one of them (AWS docs "apigateway-enable-cognito-user-pool": "an access
 * token ... when the method has OAuth scopes, otherwise an identity token").
 */
export async function verifyCognitoToken(
  token: string | undefined,
  providerArns: readonly string[],
  scopes: readonly string[] | undefined,
  issuerBase?: string,
  clientIds?: readonly string[],
): Promise<CognitoResult> {
  if (!token) return { ok: false, reason: 'missing token' }
  const raw = token.replace(/^Bearer\s+/i, '')
  const issuers = providerArns.map((arn) => issuerFor(arn, issuerBase)).filter((i): i is string => !!i)
  let unverified: JWTPayload
  try {
    const [, body = ''] = raw.split('.')
    unverified = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as JWTPayload
  } catch {
    return { ok: false, reason: 'not a JWT' }
  }
  const issuer = typeof unverified.iss === 'string' ? unverified.iss : ''
  if (!issuers.includes(issuer))
    return { ok: false, reason: `issuer ${issuer} is not one of the authorizer's pools` }
  let payload: JWTPayload
  try {
    payload = (await jwtVerify(raw, keySetFor(issuer), { issuer, algorithms: ['RS256'] })).payload
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { ok: false, reason: 'expired' }
    if (error instanceof errors.JOSEAlgNotAllowed) return { ok: false, reason: 'algorithm not allowed' }
    if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWSSignatureVerificationFailed)
      return { ok: false, reason: 'bad signature' }
    return { ok: false, reason: error instanceof Error ? error.message : 'invalid token' }
  }
  const use = payload['token_use']
  if (scopes && scopes.length > 0) {
    if (use !== 'access') return { ok: false, reason: 'the method has scopes: an access token is required' }
    const scopeClaim = payload['scope']
    const granted = typeof scopeClaim === 'string' ? scopeClaim.split(' ') : []
    if (!scopes.some((s) => granted.includes(s))) return { ok: false, reason: 'no required scope' }
  } else if (use !== 'id') {
    return { ok: false, reason: 'the method has no scopes: an ID token is required' }
  }
  const client = use === 'access' ? payload['client_id'] : payload.aud
  if (clientIds?.length && !(typeof client === 'string' && clientIds.includes(client)))
    return { ok: false, reason: 'issued to another app client' }
  return { ok: true, claims: claimsOf(payload), payload }
}
