/**
 * The one form of a request path that routing, the method ARN (Lambda authorizers, resource
 * policies) and the cache key all read, so no spelling of a path reaches a different decision in
 * one of them than in another (issue 16, "bad input refused"). From the path after the stage,
 * still percent-encoded, leading slashes already collapsed:
 * - a percent-encoded unreserved character is decoded (`%61dmin` is `admin`) and other
 *   percent-encodings get upper-case hex (`%2f` is `%2F`): RFC 3986 section 6.2.2 calls these
 *   spellings equivalent;
 * - `%2F` stays encoded: an encoded slash is never a separator, it stays inside its segment (a
 *   `{param}` or `{proxy+}` value), so `/a%2Fb` never reaches the resource `/a/b`;
 * - a trailing slash is dropped (routing ignores it: AWS-BEHAVIOR §3.2);
 * - empty segments inside the path are kept (AWS keeps `proxy-value//double-slash` inside a greedy
 *   value; they never match a literal or `{param}`).
 * A `.` or `..` segment, raw or encoded (`%2e%2E`), has no canonical form: resolving it would let
 * `/public/../admin` be `/admin` for a backend and something else for a policy. The caller refuses
 * it (undefined).
 */
export function canonicalPath(path: string): string | undefined {
  // Most paths are canonical already: no percent sign, no segment starting with a dot, no trailing
  // slash. They are answered as they are, without splitting and joining them.
  if (
    path.charCodeAt(0) === 0x2f &&
    !path.includes('%') &&
    !path.includes('/.') &&
    (path.length === 1 || path.charCodeAt(path.length - 1) !== 0x2f)
  )
    return path
  const segments = path.split('/').slice(1)
  if (segments.length > 1 && segments.at(-1) === '') segments.pop()
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string
    const normal = segment.includes('%') ? normalisePercentEncodings(segment) : segment
    if (normal === '.' || normal === '..') return undefined
    segments[i] = normal
  }
  return `/${segments.join('/')}`
}

const UNRESERVED = /[A-Za-z0-9\-._~]/

function normalisePercentEncodings(segment: string): string {
  return segment.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16))
    return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`
  })
}
