import { describe, expect, it } from 'vitest'
import { compileTemplate, TemplateError } from '../../../../src/dataplane/mapping/velocity/index.js'

const render = (template: string) =>
  compileTemplate(template).render({
    input: { body: '', path: {}, querystring: {}, header: {} },
    context: { stage: 'dev' },
    stageVariables: {},
  })

// AWS docs "apigateway-override-request-response-parameters".
describe('$context overrides', () => {
  it('collects request and response overrides', () => {
    const result = render(
      '#set($context.requestOverride.header.X-A = "1")#set($context.requestOverride.querystring.q = "2")' +
        '#set($context.requestOverride.path.id = "3")#set($context.responseOverride.status = 201)' +
        '#set($context.responseOverride.header.X-B = "4")',
    )
    expect(result.overrides.request).toEqual({
      header: { 'X-A': '1' },
      querystring: { q: '2' },
      path: { id: '3' },
    })
    expect(result.overrides.response).toEqual({ status: 201, header: { 'X-B': '4' } })
  })

  it('refuses a second override of the same parameter ("overrides are final")', () => {
    expect(() =>
      render('#set($context.responseOverride.header.X = "1")#set($context.responseOverride.header.X = "2")'),
    ).toThrow(TemplateError)
    expect(() =>
      render('#set($context.responseOverride.status = 400)#set($context.responseOverride.status = 500)'),
    ).toThrow(TemplateError)
  })
})
