import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../../src/dataplane/errors/gateway-error.js'
import { chooseRequestTemplate, mediaType } from '../../../src/dataplane/mapping/templates.js'

// AWS docs "integration-passthrough-behaviors": the template for the request's Content-Type
// (application/json when absent), else pass through (WHEN_NO_MATCH) or 415 (NEVER, and
// WHEN_NO_TEMPLATES when templates exist). Choices are kept per template set and Content-Type.
describe('request template choice', () => {
  const templates = { 'application/json': 'J', 'Application/XML': 'X' }

  it('answers each Content-Type of one template set, also when asked again', () => {
    for (const pass of [1, 2]) {
      expect([pass, chooseRequestTemplate(templates, undefined, 'WHEN_NO_MATCH')]).toEqual([
        pass,
        { kind: 'template', contentType: 'application/json', template: 'J' },
      ])
      expect([pass, chooseRequestTemplate(templates, 'application/xml; charset=utf-8', 'NEVER')]).toEqual([
        pass,
        { kind: 'template', contentType: 'Application/XML', template: 'X' },
      ])
      expect([pass, chooseRequestTemplate(templates, 'text/plain', 'WHEN_NO_MATCH')]).toEqual([
        pass,
        { kind: 'passthrough' },
      ])
    }
  })

  it('refuses an unmatched type with 415 every time, whatever was chosen before for it', () => {
    expect(chooseRequestTemplate(templates, 'text/plain', 'WHEN_NO_MATCH')).toEqual({ kind: 'passthrough' })
    for (const behavior of ['NEVER', 'WHEN_NO_TEMPLATES', 'NEVER'] as const) {
      let thrown: unknown
      try {
        chooseRequestTemplate(templates, 'text/plain', behavior)
      } catch (error) {
        thrown = error
      }
      expect(thrown).toBeInstanceOf(GatewayError)
      expect((thrown as GatewayError).type).toBe('UNSUPPORTED_MEDIA_TYPE')
    }
  })

  it('reads the media type without parameters or case', () => {
    expect(mediaType(' Application/JSON ; charset=UTF-8')).toBe('application/json')
    expect(mediaType('text/plain')).toBe('text/plain')
    expect(mediaType(';q=1')).toBeUndefined()
    expect(mediaType(undefined)).toBeUndefined()
  })
})
