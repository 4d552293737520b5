/**
 * How deep JSON from a request may nest before the gateway stops reading it: Jackson's default
 * (`StreamReadConstraints.maxNestingDepth`, 1,000 since 2.15), the parser family behind API
 * Gateway's `$input` and `$util.parseJson`. A 10 MB body of `[` nests five million deep: parsed
 * and walked, it held the event loop for seconds before failing anyway.
 */
export const MAX_JSON_DEPTH = 1000

/**
 * Whether JSON text opens more than `max` arrays or objects inside one another, found by one pass
 * over the text (brackets inside strings do not count) before anything is allocated. Says nothing
 * about whether the text is valid JSON.
 */
export function jsonDepthExceeds(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (inString) {
      if (code === 0x5c)
        i++ // backslash: skip the escaped character
      else if (code === 0x22) inString = false
    } else if (code === 0x22) {
      inString = true
    } else if (code === 0x5b || code === 0x7b) {
      depth++
      if (depth > max) return true
    } else if (code === 0x5d || code === 0x7d) {
      depth--
    }
  }
  return false
}

/** JSON.parse, refusing text nested deeper than `MAX_JSON_DEPTH` with a SyntaxError as for bad JSON. */
export function parseBoundedJson(text: string): unknown {
  if (jsonDepthExceeds(text)) throw new SyntaxError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`)
  return JSON.parse(text) as unknown
}
