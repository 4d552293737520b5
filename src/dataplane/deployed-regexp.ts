/**
 * A regular expression written in a deployed API (an integration response's selection pattern, a
 * TOKEN authorizer's identityValidationExpression) or in a function's policy (a SourceArn with
 * `*`), compiled once per source and flags instead of on every request that tests it. Null for a
 * source that does not compile (cached too). The cache holds only what was deployed or granted, and
 * is emptied past MAX_ENTRIES so that a gateway redeployed with ever-new patterns does not grow.
 */
export function deployedRegExp(source: string, flags = ''): RegExp | null {
  const key = `${flags}/${source}`
  let compiled = cache.get(key)
  if (compiled === undefined) {
    try {
      compiled = new RegExp(source, flags)
    } catch {
      compiled = null
    }
    if (cache.size >= MAX_ENTRIES) cache.clear()
    cache.set(key, compiled)
  }
  return compiled
}

const cache = new Map<string, RegExp | null>()
const MAX_ENTRIES = 10_000
