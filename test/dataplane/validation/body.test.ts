import { describe, expect, it } from 'vitest'
import { parseJsonBody, selectBodyModel } from '../../../src/dataplane/validation/body.js'
import type { BodyModel } from '../../../src/dataplane/validation/compile.js'

const model = (modelName: string): BodyModel => ({ modelName, unusable: 'test' })

describe('selectBodyModel', () => {
  const models = new Map([
    ['application/json', model('Json')],
    ['application/xml', model('Xml')],
  ])

  it('uses the media type of the Content-Type, application/json when absent', () => {
    expect(selectBodyModel(models, 'Application/XML; charset=utf-8')?.modelName).toBe('Xml')
    expect(selectBodyModel(models, undefined)?.modelName).toBe('Json')
  })

  it('falls back to $default, else validates nothing', () => {
    expect(selectBodyModel(models, 'text/plain')).toBeUndefined()
    const withDefault = new Map([...models, ['$default', model('Any')]])
    expect(selectBodyModel(withDefault, 'text/plain')?.modelName).toBe('Any')
    expect(selectBodyModel(withDefault, 'application/json')?.modelName).toBe('Json')
  })
})

describe('parseJsonBody', () => {
  it('reads an empty body as {} and JSON as itself', () => {
    expect(parseJsonBody(Buffer.alloc(0))).toEqual({ ok: true, value: {} })
    expect(parseJsonBody(Buffer.from('[1, "a"]'))).toEqual({ ok: true, value: [1, 'a'] })
  })

  it('refuses a body that is not JSON', () => {
    const parsed = parseJsonBody(Buffer.from('not json'))
    expect(parsed.ok).toBe(false)
    expect(parsed.ok ? '' : parsed.reason).toMatch(/^\[Invalid JSON: .+\]$/)
  })
})
