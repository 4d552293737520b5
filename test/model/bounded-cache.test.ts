import { describe, expect, it } from 'vitest'
import { BoundedCache } from '../../src/model/bounded-cache.js'

// The cache behind parsed integration URLs, MOCK statuses, access log formats, CloudFront viewer
// headers and deployed regular expressions: what it keeps, and that clients cannot grow it.
describe('BoundedCache', () => {
  it('computes a key once, and forgets everything once full', () => {
    const made: string[] = []
    const make = (key: string): string => {
      made.push(key)
      return key.toUpperCase()
    }
    const cache = new BoundedCache<string, string>(3)
    expect([cache.get('a', make), cache.get('a', make)]).toEqual(['A', 'A'])
    cache.get('b', make)
    cache.get('c', make)
    expect(made).toEqual(['a', 'b', 'c'])
    // A fourth key empties the cache first: 'a' is computed again, then kept.
    cache.get('d', make)
    cache.get('a', make)
    cache.get('a', make)
    expect(made).toEqual(['a', 'b', 'c', 'd', 'a'])
  })

  it('keeps nothing when make throws or the caller says not to keep', () => {
    const cache = new BoundedCache<string, number>(10)
    let calls = 0
    const failing = (): number => {
      calls++
      throw new Error('no value')
    }
    expect(() => cache.get('x', failing)).toThrow('no value')
    expect(() => cache.get('x', failing)).toThrow('no value')
    expect(calls).toBe(2)
    const counting = (): number => ++calls
    expect(cache.get('y', counting, false)).toBe(3)
    expect(cache.get('y', counting)).toBe(4)
    expect(cache.get('y', counting)).toBe(4)
  })

  it('keeps a null value (a pattern that does not compile)', () => {
    const cache = new BoundedCache<string, RegExp | null>(10)
    let calls = 0
    const make = (): RegExp | null => {
      calls++
      return null
    }
    expect([cache.get('(', make), cache.get('(', make)]).toEqual([null, null])
    expect(calls).toBe(1)
  })

  it('keeps values put from outside, bounded the same way, until cleared', () => {
    const cache = new BoundedCache<string, string>(2)
    expect(cache.peek('a')).toBeUndefined()
    cache.put('a', 'A')
    cache.put('b', 'B')
    cache.put('b', 'B2') // a key already kept does not empty the cache
    expect([cache.peek('a'), cache.peek('b')]).toEqual(['A', 'B2'])
    cache.put('c', 'C')
    expect([cache.peek('a'), cache.peek('b'), cache.peek('c')]).toEqual([undefined, undefined, 'C'])
    cache.clear()
    expect(cache.peek('c')).toBeUndefined()
  })
})
