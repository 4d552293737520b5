import { BoundedCache } from '../model/bounded-cache.js'

/**
 * A regular expression written in a deployed API (an integration response's selection pattern, a
 * TOKEN authorizer's identityValidationExpression) or in a function's policy (a SourceArn with
 * `*`), compiled once per source and flags instead of on every request that tests it. Null for a
 * source that does not compile (cached too). The cache holds only what was deployed or granted, and
 * is emptied at 10,000 entries so that a gateway redeployed with ever-new patterns does not grow.
 */
export function deployedRegExp(source: string, flags = ''): RegExp | null {
  return cache.get(`${flags}/${source}`, compile)
}

/** Compiles a cache key, `flags/source` (flags hold no `/`); null when it does not compile. */
function compile(key: string): RegExp | null {
  const slash = key.indexOf('/')
  try {
    return new RegExp(key.slice(slash + 1), key.slice(0, slash))
  } catch {
    return null
  }
}

const cache = new BoundedCache<string, RegExp | null>(10_000)
