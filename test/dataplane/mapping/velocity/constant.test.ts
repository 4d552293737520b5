import { describe, expect, it } from 'vitest'
import { compileTemplate } from '../../../../src/dataplane/mapping/velocity/index.js'

const variables = {
  input: { body: '{"a":1}', path: { id: '7' }, querystring: {}, header: { Accept: 'text/plain' } },
  context: { stage: 'dev', requestId: 'r-1' },
  stageVariables: { v: 'x' },
}

/** A template without `$` or `#` is rendered once when compiled (MOCK's `{"statusCode": 200}`). */
describe('constant templates', () => {
  it.each([
    '{"statusCode": 200}',
    '{\n  "ok": true,\n  "list": [1, 2, 3]\n}\n',
    'plain text with a backslash \\ and "quotes"',
    '',
  ])('%j renders to what the renderer gives for any request', (text) => {
    const template = compileTemplate(text)
    expect(template.constantOutput).toBe(template.render(variables).output)
    expect(template.constantOutput).toBe(text)
  })

  it.each(['{"stage": "$context.stage"}', '#set($x = 1)done', '## a comment', 'price: \\$5'])(
    '%j reads or sets something: rendered per request',
    (text) => {
      expect(compileTemplate(text).constantOutput).toBeUndefined()
    },
  )
})
