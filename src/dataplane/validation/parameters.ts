import { headerValues, type HeaderEntry } from '../request.js'

/** The parts of a request the required-parameter check reads. */
export interface ParameterSource {
  readonly pathParameters: Readonly<Record<string, string>>
  readonly query: ReadonlyMap<string, readonly string[]>
  readonly headers: readonly HeaderEntry[]
}

/**
 * The keys (`method.request.<location>.<name>`) a method marks as required, in the order AWS
 * lists missing ones: sorted by the full key, so header < path < querystring (recorded:
 * test_apigateway_common.snapshot.json "missing-all-required-request-params-post" answers
 * `[x-header-param, issuer, qs1]`; LocalStack's handlers/method_request.py sorts the same way).
 */
export function requiredParameterKeys(
  requestParameters: Readonly<Record<string, boolean>> | undefined,
): readonly string[] {
  return Object.entries(requestParameters ?? {})
    .filter(([, isRequired]) => isRequired)
    .map(([key]) => key)
    .sort()
}

const KEY = /^method\.request\.([a-z]+)\.(.+)$/

/**
 * The names of the required parameters the request lacks, in the order of `requiredKeys`.
 *
 * AWS docs ("api-gateway-method-request-validation") say required parameters must be "included
 * and not blank". A blank header counts as missing. A query parameter sent empty (`?q=` or `?q`)
 * counts as present: API Gateway parses it as a present key with an empty value, and LocalStack's
 * recorded-against-AWS handler checks only that the key exists. Path parameters cannot be blank
 * (a `{param}` matches a non-empty segment); one declared but absent from the resource path is
 * always missing, as in the recorded `issuer` case.
 */
export function missingParameters(requiredKeys: readonly string[], source: ParameterSource): string[] {
  const missing: string[] = []
  for (const key of requiredKeys) {
    const [, location, name = ''] = KEY.exec(key) ?? []
    if (location === undefined) continue
    if (isMissing(location, name, source)) missing.push(name)
  }
  return missing
}

function isMissing(location: string, name: string, source: ParameterSource): boolean {
  switch (location) {
    case 'path':
      return !Object.hasOwn(source.pathParameters, name) || source.pathParameters[name] === ''
    case 'querystring':
    case 'multivaluequerystring':
      return !source.query.has(name)
    case 'header':
    case 'multivalueheader':
      return !headerValues(source.headers, name).some((value) => value.trim() !== '')
    default:
      // The control plane refuses other locations; nothing to check.
      return false
  }
}

/** AWS's BAD_REQUEST_PARAMETERS message: names joined by ", " inside brackets (recorded). */
export const missingParametersMessage = (names: readonly string[]): string =>
  `Missing required request parameters: [${names.join(', ')}]`
