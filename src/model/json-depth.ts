/**
 * How deep JSON request bodies may nest. JSON.parse reads any depth, but code that stringifies or
 * walks a value recurses, and overflows the stack somewhere past a few thousand levels. Jackson,
 * the parser behind AWS's APIs, stops at 1,000 levels by default.
 */
export const MAX_JSON_DEPTH = 1000

/** The deepest nesting of arrays and objects in (valid) JSON text, counted without recursion. */
export function jsonNestingDepth(text: string): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c)
        i++ // a backslash escapes the next character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth)
    else if (c === 0x7d || c === 0x5d) depth--
  }
  return deepest
}
