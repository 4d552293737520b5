import { describe, expect, it } from 'vitest'
import { jsonDepthExceeds, MAX_JSON_DEPTH, parseBoundedJson } from '../../src/dataplane/json-depth.js'

describe('JSON nesting depth', () => {
  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth)

  it("allows Jackson's 1,000 levels and refuses one more", () => {
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH))).toBe(false)
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH + 1))).toBe(true)
    expect(parseBoundedJson(nested(3))).toEqual([[[]]])
    expect(() => parseBoundedJson(nested(MAX_JSON_DEPTH + 1))).toThrow(SyntaxError)
    expect(jsonDepthExceeds('{"a":'.repeat(5) + '1' + '}'.repeat(5), 4)).toBe(true)
  })

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(jsonDepthExceeds(`["${'['.repeat(5000)}"]`)).toBe(false)
    expect(jsonDepthExceeds(`["\\"${'{'.repeat(5000)}"]`)).toBe(false)
    expect(jsonDepthExceeds(`["\\\\", ${nested(10)}]`, 5)).toBe(true)
  })
})
