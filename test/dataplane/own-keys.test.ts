import { describe, expect, it } from 'vitest'
import {
  evaluateMappingExpression,
  substituteStageVariables,
} from '../../src/dataplane/mapping/parameters.js'
import { ownValue, setOwn } from '../../src/model/own-keys.js'

// Names from requests and from an API's configuration index plain objects: `constructor`,
// `toString` or `__proto__` must find only what was set under them.
describe('records keyed by request and configuration names', () => {
  it('finds only own values, and keeps __proto__ an ordinary key', () => {
    const record: Record<string, string> = {}
    setOwn(record, '__proto__', 'p')
    setOwn(record, 'constructor', 'c')
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype)
    expect(JSON.stringify(record)).toBe('{"__proto__":"p","constructor":"c"}')
    expect(ownValue(record, '__proto__')).toBe('p')
    expect(ownValue(record, 'toString')).toBeUndefined()
    expect(ownValue({}, 'constructor')).toBeUndefined()
  })

  it('maps no Object member for a path parameter or stage variable the request lacks', () => {
    const source = {
      pathParameters: { id: '7' },
      query: new Map<string, string[]>(),
      headers: new Map<string, string[]>(),
      context: {},
      stageVariables: { host: 'example.com' },
    }
    // Before: Object's constructor function, and its source text in a URI.
    expect(evaluateMappingExpression('method.request.path.constructor', source)).toBeUndefined()
    expect(evaluateMappingExpression('stageVariables.toString', source)).toBeUndefined()
    expect(evaluateMappingExpression('method.request.path.id', source)).toBe('7')
    expect(
      substituteStageVariables(
        'https://${stageVariables.host}/${stageVariables.constructor}',
        source.stageVariables,
      ),
    ).toBe('https://example.com/')
  })
})
