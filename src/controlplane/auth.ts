import type { IncomingHttpHeaders } from 'node:http'
import type { ConfiguredKey, CredentialStore } from '../auth/credentials.js'
import { verifySigV4 } from '../auth/sigv4/verify.js'
import { ApiError } from './api-error.js'

/** Lambda API paths start with their API version (`/2015-03-31/functions`); the rest are API Gateway's. */
const signingService = (path: string): string =>
  /^\/20\d\d-\d\d-\d\d\//.test(path) ? 'lambda' : 'apigateway'

/** Whether a key's scope covers a call: `read-only` reads, `{apis}` only those APIs' paths. */
function inScope(key: ConfiguredKey, method: string, path: string): boolean {
  if (key.scope === 'full') return true
  if (key.scope === 'read-only') return method === 'GET' || method === 'HEAD'
  const apiId = /^\/restapis\/([^/]+)/.exec(path)?.[1]
  if (apiId === undefined) return false
  try {
    return key.scope.apis.includes(decodeURIComponent(apiId))
  } catch {
    // Not valid percent-encoded UTF-8 (`%FF`): no API id of a scope.
    return false
  }
}

/**
 * `--auth`: a management or Lambda API call must be SigV4-signed (service `apigateway` or
 * `lambda`) with a configured key whose scope covers it, or it is refused with the error the AWS
 * APIs answer, before anything is read or written.
 */
export function checkManagementAuth(
  request: { method: string; rawUrl: string; headers: IncomingHttpHeaders; body: Buffer },
  credentials: CredentialStore,
  region: string,
  /** Another service on the same port (CloudWatch Logs: `POST /` for reads too). */
  as?: { service: string; isRead: boolean },
): void {
  const [path = '/', query = ''] = request.rawUrl.split('?')
  const service = as?.service ?? signingService(path)
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers))
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value
  const result = verifySigV4(
    { method: request.method, path, query, headers, body: request.body },
    (id) => credentials.lookup(id),
    { now: Date.now(), service, region },
  )
  if (!result.ok) {
    const type = {
      missing: 'MissingAuthenticationTokenException',
      incomplete: 'IncompleteSignatureException',
      unknown_key: 'UnrecognizedClientException',
      mismatch: 'InvalidSignatureException',
      expired: 'InvalidSignatureException',
      region: 'InvalidSignatureException',
    } as const
    throw new ApiError(type[result.reason], result.message)
  }
  const key = credentials.lookup(result.credential.accessKeyId)
  if (!key || !inScope(key, as?.isRead ? 'GET' : request.method, path)) {
    throw new ApiError(
      'AccessDeniedException',
      `User: ${result.credential.userArn ?? result.credential.accessKeyId} is not authorized to perform: ${service}:${request.method} on resource: arn:aws:${service}:${region}::${path}`,
    )
  }
}
