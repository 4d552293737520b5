import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose'

/**
 * A stand-in for Cognito on 127.0.0.1: serves `/{poolId}/.well-known/jwks.json` and signs ID and
 * access tokens with Cognito's claims, plus the broken tokens the negative tests need.
 */
export interface JwtIssuer {
  /** The issuer base (`--cognito-issuer-base`); a pool's issuer is `{base}/{poolId}`. */
  base: string
  issuer(poolId: string): string
  idToken(poolId: string, claims?: JWTPayload, options?: { expiresIn?: string | number }): Promise<string>
  accessToken(poolId: string, scope: string, claims?: JWTPayload): Promise<string>
  /** A token signed by a key the JWKS does not hold, under the served key's kid. */
  foreignToken(poolId: string): Promise<string>
  close(): Promise<void>
}

const KID = 'tollgate-test-key'
export const CLIENT_ID = '5vdfsvplq2jn5c4i8c3cvmgbe3'

export async function startJwtIssuer(): Promise<JwtIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256')
  const foreign = await generateKeyPair('RS256')
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: KID, alg: 'RS256', use: 'sig' }
  const server: Server = createServer((req, res) => {
    if (req.url?.endsWith('/.well-known/jwks.json')) {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ keys: [jwk] }))
      return
    }
    res.writeHead(404)
    res.end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const issuer = (poolId: string): string => `${base}/${poolId}`
  const sign = (
    poolId: string,
    claims: JWTPayload,
    key: Parameters<SignJWT['sign']>[0] = privateKey,
    expiresIn: string | number = '1h',
  ): Promise<string> =>
    new SignJWT({ sub: 'c0ffee00-1111-2222-3333-444455556666', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: KID })
      .setIssuer(issuer(poolId))
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(key)
  return {
    base,
    issuer,
    idToken: (poolId, claims = {}, options = {}) =>
      sign(
        poolId,
        {
          aud: CLIENT_ID,
          token_use: 'id',
          auth_time: Math.floor(Date.now() / 1000),
          'cognito:username': 'alice',
          'cognito:groups': ['admins', 'users'],
          email: 'alice@example.com',
          email_verified: true,
          ...claims,
        },
        privateKey,
        options.expiresIn,
      ),
    accessToken: (poolId, scope, claims = {}) =>
      sign(poolId, { client_id: CLIENT_ID, token_use: 'access', scope, username: 'alice', ...claims }),
    foreignToken: (poolId) => sign(poolId, { aud: CLIENT_ID, token_use: 'id' }, foreign.privateKey),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
