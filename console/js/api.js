// The console's only way to the gateway: the AWS management API, the Lambda API, the CloudWatch
// Logs API (Lambda's logs) and the public /_tollgate/metrics endpoint of the node that served it.
// Calls are unsigned, which a gateway in development mode accepts; with --auth they fail with the
// gateway's 403 (docs/console.md).

/** An error answered by the gateway, in AWS's shape (`message` + `x-amzn-ErrorType`). */
export class ApiError extends Error {
  constructor(status, type, message) {
    super(`${message} (${status}${type ? ` ${type}` : ''})`)
    this.status = status
    this.type = type
  }
}

/**
 * One call. `body` is sent as JSON unless `raw` is set (an OpenAPI document, an invoke
 * payload); the answer is parsed as JSON when it is JSON.
 */
/**
 * @param {string} method
 * @param {string} path
 * @param {any} [body] a JSON value, or the raw body (a string) with `raw`
 * @param {{ raw?: boolean, headers?: Record<string, string> }} [options]
 */
export async function call(method, path, body, { raw = false, headers = {} } = {}) {
  const response = await fetch(path, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body !== undefined ? { body: raw ? body : JSON.stringify(body) } : {}),
  })
  const text = await response.text()
  let json
  try {
    json = text === '' ? undefined : JSON.parse(text)
  } catch {
    json = undefined
  }
  if (!response.ok) {
    let message = json?.message ?? json?.Message ?? (text || response.statusText)
    if (response.headers.get('x-amzn-errortype') === 'MissingAuthenticationTokenException')
      message = `${message}. This gateway runs with --auth: the console cannot sign requests yet (see docs/console.md)`
    // JSON-protocol services (CloudWatch Logs) name the error in the body's `__type`.
    const type = response.headers.get('x-amzn-errortype') ?? json?.__type ?? null
    throw new ApiError(response.status, type, message)
  }
  return json
}

export const get = (path) => call('GET', path)
/**
 * A CloudWatch Logs call (JSON protocol: `POST /`, the action in `X-Amz-Target`).
 * @param {string} action e.g. `FilterLogEvents`
 * @param {Record<string, unknown>} body
 */
export const logs = (action, body) =>
  call('POST', '/', body, {
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Logs_20140328.${action}` },
  })
export const post = (path, body) => call('POST', path, body ?? {})
export const put = (path, body) => call('PUT', path, body ?? {})
/** Resolves `true` once deleted (the answer has no body). */
export const del = (path) => call('DELETE', path).then(() => true)
/** UpdateX: AWS patch operations. */
export const patch = (path, patchOperations) => call('PATCH', path, { patchOperations })

/** Every item of a paged API Gateway list (`item` + `position`). */
export async function listAll(path) {
  const items = []
  let position
  do {
    const sep = path.includes('?') ? '&' : '?'
    const page = await get(
      `${path}${sep}limit=500${position ? `&position=${encodeURIComponent(position)}` : ''}`,
    )
    items.push(...(page?.item ?? []))
    position = page?.position
  } while (position)
  return items
}

/** `/a/b` path segment escaping for patch paths (`~1` for `/`, `~0` for `~`). */
export const pointer = (segment) => String(segment).replaceAll('~', '~0').replaceAll('/', '~1')

export const enc = encodeURIComponent

/** The method path of the management API. */
export const methodPath = (apiId, resourceId, verb) =>
  `/restapis/${enc(apiId)}/resources/${enc(resourceId)}/methods/${enc(verb)}`

/** Where a stage is served on this node (the `/_aws/execute-api` form works on any host name). */
export function invokeUrl(apiId, stage, path = '/') {
  return `${location.origin}/_aws/execute-api/${apiId}/${stage}${path}`
}
