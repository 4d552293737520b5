/** Where a data-plane request is going: an API, a stage and the path inside it. */
export interface ExecuteApiAddress {
  apiId: string
  stageName: string
  /** The path after the stage, leading slashes collapsed to one (the proxy event's `path`). */
  path: string
  /** `/{stage}` + the path exactly as received (the proxy event's `requestContext.path`). */
  stagePath: string
  rawQuery: string
}

const HOST_FORM = /^([a-z0-9]+)\.execute-api\.localhost(?::\d+)?$/i
const PATH_FORM = /^\/_aws\/execute-api\/([^/]+)\/([^/]+)(.*)$/
const LEGACY_FORM = /^\/restapis\/([^/]+)\/([^/]+)\/_user_request_(.*)$/

/**
 * Recognises the three ways to call a stage (DESIGN.md "invoke URLs"): the host
 * `{apiId}.execute-api.localhost`, `/_aws/execute-api/{apiId}/{stage}/...` and the legacy
 * `/restapis/{apiId}/{stage}/_user_request_/...`. Works on the raw request target so
 * percent-encodings and double slashes reach routing untouched.
 */
export function parseExecuteApiAddress(
  rawUrl: string,
  host: string | undefined,
): ExecuteApiAddress | undefined {
  const q = rawUrl.indexOf('?')
  const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q)
  const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1)
  const hostMatch = host ? HOST_FORM.exec(host) : null
  if (hostMatch?.[1]) {
    const stageMatch = /^\/([^/]+)(.*)$/.exec(rawPath)
    if (!stageMatch?.[1]) return undefined
    return address(hostMatch[1], stageMatch[1], stageMatch[2] ?? '', rawQuery)
  }
  const match = PATH_FORM.exec(rawPath) ?? LEGACY_FORM.exec(rawPath)
  if (!match?.[1] || !match[2]) return undefined
  return address(match[1], match[2], match[3] ?? '', rawQuery)
}

function address(apiId: string, stageName: string, rest: string, rawQuery: string): ExecuteApiAddress {
  return {
    apiId: apiId.toLowerCase(),
    stageName: safeDecode(stageName),
    path: rest === '' ? '/' : rest.replace(/^\/+/, '/'),
    stagePath: `/${stageName}${rest}`,
    rawQuery,
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
