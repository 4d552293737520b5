import { describe, expect, it } from 'vitest'
import { deployedRegExp } from '../../src/dataplane/deployed-regexp.js'

// Selection patterns and identityValidationExpressions are compiled once per source and flags
// (src/dataplane/deployed-regexp.ts), not on every request.
describe('regular expressions of a deployed API', () => {
  it('compiles a source once per flags and answers the same object after', () => {
    const first = deployedRegExp('^(?:4\\d{2})$', 's')
    expect(first?.test('404')).toBe(true)
    expect(first?.test('500')).toBe(false)
    expect(deployedRegExp('^(?:4\\d{2})$', 's')).toBe(first)
    const other = deployedRegExp('^(?:4\\d{2})$')
    expect(other).not.toBe(first)
    expect(other?.flags).toBe('')
  })

  it('answers null, every time, for a source that does not compile', () => {
    expect(deployedRegExp('([unclosed')).toBeNull()
    expect(deployedRegExp('([unclosed')).toBeNull()
  })
})
