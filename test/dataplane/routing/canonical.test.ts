import { describe, expect, it } from 'vitest'
import { canonicalPath } from '../../../src/dataplane/routing/canonical.js'

describe('canonicalPath', () => {
  it.each([
    ['/', '/'],
    ['/a/b', '/a/b'],
    ['/a/b/', '/a/b'],
    ['/%61dmin', '/admin'],
    ['/a%2fb', '/a%2Fb'],
    ['/a%2Fb', '/a%2Fb'],
    ['/caf%c3%a9', '/caf%C3%A9'],
    ['/a//b', '/a//b'],
    ['/%7euser%2d1', '/~user-1'],
    ['/bad%zz%', '/bad%zz%'],
    ['/a%2F..%2Fb', '/a%2F..%2Fb'],
    ['/..a/b..', '/..a/b..'],
    // Either side of the shortcut for paths that are canonical already.
    ['//', '/'],
    ['/a.b/c.', '/a.b/c.'],
    ['/a/.b', '/a/.b'],
    ['', '/'],
    ['a/b', '/b'],
  ])('%s is %s', (path, canonical) => {
    expect(canonicalPath(path)).toBe(canonical)
  })

  it.each(['/.', '/..', '/a/./b', '/a/../b', '/a/%2e', '/a/%2E%2e/b', '/a/.%2e', '/a/.', '/a/../'])(
    '%s has none',
    (path) => {
      expect(canonicalPath(path)).toBeUndefined()
    },
  )
})
