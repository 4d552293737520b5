/** Where a data-plane request is going: an API, a stage and the path inside it. */
export interface ExecuteApiAddress {
  apiId: string
  stageName: string
  /** The path after the stage, leading slashes collapsed to one (the proxy event's `path`). */
  path: string
  /** `/{stage}` + the path exactly as received (the proxy event's `requestContext.path`). */
  stagePath: string
  rawQuery: string
  /** The VPC endpoint named in a private API's host (`{apiId}-{vpceId}.execute-api...`). */
  vpceId?: string
  /** The custom domain name the request was addressed to ($context.domainName). */
  domainName?: string
}

const HOST_FORM = /^([a-z0-9]+)(?:-(vpce-[a-z0-9]+))?\.execute-api\.[a-z0-9.-]+(?::\d+)?$/i
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
  /** `x-apigw-api-id`, honoured on VPC endpoint listeners (AWS docs "apigateway-private-api-test-invoke-url"). */
  apiIdHeader?: string,
): ExecuteApiAddress | undefined {
  const q = rawUrl.indexOf('?')
  const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q)
  const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1)
  const hostMatch = host ? HOST_FORM.exec(host) : null
  if (hostMatch?.[1]) {
    const stageMatch = /^\/([^/]+)(.*)$/.exec(rawPath)
    if (!stageMatch?.[1]) return undefined
    const found = address(hostMatch[1], stageMatch[1], stageMatch[2] ?? '', rawQuery)
    return hostMatch[2] ? { ...found, vpceId: hostMatch[2].toLowerCase() } : found
  }
  const match = PATH_FORM.exec(rawPath) ?? LEGACY_FORM.exec(rawPath)
  if (match?.[1] && match[2]) return address(match[1], match[2], match[3] ?? '', rawQuery)
  if (apiIdHeader && /^[a-z0-9]+$/i.test(apiIdHeader)) {
    const stageMatch = /^\/([^/]+)(.*)$/.exec(rawPath)
    if (stageMatch?.[1]) return address(apiIdHeader, stageMatch[1], stageMatch[2] ?? '', rawQuery)
  }
  return undefined
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

/** `decodeURIComponent`, or the text unchanged when it is not valid percent-encoded UTF-8 (`%FF`, `%C3%28`). */
export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
