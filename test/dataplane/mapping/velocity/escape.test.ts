import { describe, expect, it } from 'vitest'
import { escapeJavaScript } from '../../../../src/dataplane/mapping/velocity/builtins.js'

// Apache Commons Lang StringEscapeUtils.escapeJavaScript, which AWS's $util.escapeJavaScript uses.
describe('escapeJavaScript', () => {
  it('returns text with nothing to escape unchanged (the fast path), DEL included', () => {
    const plain = 'Mozilla/5.0'.replace('/', ' ') + ' abc-XYZ_0123 ~!@#$%^&*()=+[]{};:,.<>?|`\u007f'
    expect(escapeJavaScript(plain)).toBe(plain)
  })

  it('escapes quotes, backslash, slash, control and non-ASCII characters', () => {
    expect(escapeJavaScript(`a"b'c\\d/e\nf\tg\u0001h\u00e9i\u{1F600}`)).toBe(
      'a\\"b\\\'c\\\\d\\/e\\nf\\tg\\u0001h\\u00E9i\\uD83D\\uDE00',
    )
  })
})
