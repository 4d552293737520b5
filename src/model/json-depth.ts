/**
 * The deepest JSON a request body (data plane or management API) may nest and still be read as JSON: 1000, Jackson's default
 * (`StreamReadConstraints.DEFAULT_MAX_DEPTH`, jackson-core 2.15+; API Gateway's validators and
 * mapping templates run on the JVM). AWS documents no figure. Deeper bodies would overflow the
 * stack of the recursive readers (ajv, the template values): a 100,000-level body made the
 * validator answer 500 after ~250 ms of blocked event loop. Refusing them costs one linear scan.
 */
export const MAX_JSON_DEPTH = 1000

/**
 * Whether `text` opens more than `max` arrays or objects at once (brackets inside strings do not
 * count). Linear, no allocation: ~1 ms for 100 KB, ~100 ms for 10 MB on a shared core.
 */
export function jsonDepthExceeds(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c)
        i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return false
}
