import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import { ApiError, serializationError } from './api-error.js'
import { Input } from './input.js'
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../model/json-depth.js'
import type { ManagementDeps, ManagementRouter } from './router.js'
import { checkManagementAuth } from './auth.js'
import { StoreUnavailableError } from '../store/index.js'
import { readBounded } from '../dataplane/request.js'
import { SharedStateUnavailable } from '../redis/unavailable.js'

/** Import and put-rest-api bodies may be up to 6 MB on AWS; nothing else comes close. */
const MAX_BODY_BYTES = 6 * 1024 * 1024

/**
 * Serves one management-API request: reads and parses the JSON body, runs the operation and
 * renders its result or its error in AWS's shape (`{"message": ...}` + `x-amzn-ErrorType`).
 */
export async function handleManagementRequest(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  router: ManagementRouter,
  deps: ManagementDeps,
  log: Logger,
): Promise<void> {
  const requestId = randomUUID()
  try {
    const path = requestPath(req.url, url)
    const rawBody = await readBody(req)
    if (deps.config.auth) {
      checkManagementAuth(
        { method: req.method ?? 'GET', rawUrl: req.url ?? '/', headers: req.headers, body: rawBody },
        deps.credentials,
        deps.config.region,
      )
    }
    const match = router.match(req.method ?? 'GET', path)
    if (match === undefined || match === 'method-not-allowed') {
      throw new ApiError('UnknownOperationException', `No operation matches ${req.method ?? ''} ${path}`)
    }
    const body = match.route.rawBody ? Input.of(undefined) : parseJsonBody(rawBody)
    const result = await match.route.handler(
      {
        method: req.method ?? 'GET',
        params: match.params,
        query: url.searchParams,
        headers: req.headers,
        body,
        rawBody,
      },
      deps,
    )
    const payload =
      result.rawBody ?? Buffer.from(result.body === undefined ? '' : JSON.stringify(result.body))
    res.writeHead(result.status, {
      'content-type': 'application/json',
      'content-length': payload.length,
      'x-amzn-requestid': requestId,
      ...result.headers,
    })
    res.end(payload)
  } catch (error) {
    const apiError =
      error instanceof ApiError
        ? error
        : error instanceof StoreUnavailableError
          ? // The API model's ServiceUnavailableException (503, retryable): nothing was changed.
            new ApiError(
              'ServiceUnavailableException',
              'The configuration store is unavailable. Retry later.',
            )
          : error instanceof SharedStateUnavailable
            ? new ApiError('ServiceUnavailableException', 'Service Unavailable')
            : new ApiError('InternalFailure', 'Internal server error')
    if (error instanceof StoreUnavailableError || error instanceof SharedStateUnavailable)
      log.warn({ err: error, requestId }, 'a shared dependency is unavailable')
    else if (!(error instanceof ApiError)) log.error({ err: error, requestId }, 'management operation failed')
    const payload = JSON.stringify({ message: apiError.message })
    res.writeHead(apiError.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': apiError.type,
      ...(apiError.status === 503 ? { 'retry-after': '1' } : {}),
      ...(req.complete ? {} : { connection: 'close' }),
    })
    res.end(payload)
  }
}

/**
 * The path as the client sent it. WHATWG URL parsing resolves `.` and `..` segments (`%2e` too),
 * and the AWS SDK sends ids as they are: DeleteResource of a resource id `..` would reach
 * `DELETE /restapis/{id}` and delete the whole API. Ids are opaque, so every segment is kept.
 */
function requestPath(rawUrl: string | undefined, parsed: URL): string {
  if (rawUrl === undefined || !rawUrl.startsWith('/')) return parsed.pathname
  const end = rawUrl.search(/[?#]/)
  return (end === -1 ? rawUrl : rawUrl.slice(0, end)).replace(/^\/+/, '/')
}

/** Reads a request body; a larger one than `maxBytes` is a BadRequestException "Request body is too large". */
export function readBody(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<Buffer> {
  return readBounded(req, maxBytes, () => {
    // Let the rest of the body drain into the void; the connection closes after the answer.
    req.resume()
    return new ApiError('BadRequestException', 'Request body is too large')
  })
}

/** Parses a JSON request body (empty is `{}`); malformed JSON is a SerializationException. */
export function parseJsonBody(raw: Buffer): Input {
  const text = raw.toString('utf8').trim()
  if (text === '') return Input.of(undefined)
  // Past Jackson's depth AWS's parser refuses it too; past ~10,000 the readers behind would
  // overflow the stack (an OpenAPI import answered 500).
  if (jsonDepthExceeds(text))
    throw serializationError(`Invalid JSON in request body: nesting deeper than ${MAX_JSON_DEPTH} levels`)
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw serializationError(`Invalid JSON in request body: ${(error as Error).message}`)
  }
  return Input.of(parsed)
}
