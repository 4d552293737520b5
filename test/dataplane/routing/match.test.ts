import { describe, expect, it } from 'vitest'
import type { ResourceRecord } from '../../../src/model/index.js'
import { compileRoutes } from '../../../src/dataplane/routing/compile.js'
import { matchResource } from '../../../src/dataplane/routing/match.js'

function tree(paths: Record<string, string>): Record<string, ResourceRecord> {
  // paths: id -> full path; parents are found by path prefix.
  const byPath = new Map(Object.entries(paths).map(([id, path]) => [path, id]))
  const out: Record<string, ResourceRecord> = {}
  for (const [id, path] of Object.entries(paths)) {
    if (path === '/') {
      out[id] = { id }
      continue
    }
    const parts = path.split('/')
    const pathPart = parts.pop()!
    const parentPath = parts.join('/') || '/'
    out[id] = { id, parentId: byPath.get(parentPath)!, pathPart }
  }
  return out
}

const table = compileRoutes(
  tree({
    root: '/',
    pets: '/pets',
    petId: '/pets/{id}',
    petMine: '/pets/mine',
    petToys: '/pets/{id}/toys',
    proxy: '/{proxy+}',
    files: '/files',
    filesGreedy: '/files/{path+}',
  }),
)

describe('matchResource (AWS-BEHAVIOR §3.2)', () => {
  it('matches the root', () => {
    expect(matchResource(table, '/')).toEqual({ resourceId: 'root', pathParameters: {} })
  })

  it('prefers a literal part over {param} over {proxy+}', () => {
    expect(matchResource(table, '/pets/mine')?.resourceId).toBe('petMine')
    expect(matchResource(table, '/pets/7')).toEqual({ resourceId: 'petId', pathParameters: { id: '7' } })
    expect(matchResource(table, '/other/x')).toEqual({
      resourceId: 'proxy',
      pathParameters: { proxy: 'other/x' },
    })
  })

  it('backtracks from a literal branch that fails deeper', () => {
    // /pets/mine has no child "toys", but /pets/{id}/toys does.
    expect(matchResource(table, '/pets/mine/toys')).toEqual({
      resourceId: 'petToys',
      pathParameters: { id: 'mine' },
    })
  })

  it('ignores a trailing slash, which is not part of a greedy value', () => {
    expect(matchResource(table, '/pets/7/')?.resourceId).toBe('petId')
    expect(matchResource(table, '/proxy-value/')).toEqual({
      resourceId: 'proxy',
      pathParameters: { proxy: 'proxy-value' },
    })
  })

  it('keeps double slashes inside a greedy value', () => {
    expect(matchResource(table, '/proxy-value//double-slash')?.pathParameters).toEqual({
      proxy: 'proxy-value//double-slash',
    })
  })

  it('leaves path parameters percent-encoded', () => {
    expect(matchResource(table, '/pets/test%2Balias@gmail.com')?.pathParameters).toEqual({
      id: 'test%2Balias@gmail.com',
    })
  })

  it('needs at least one segment for a greedy variable', () => {
    expect(matchResource(table, '/files')?.resourceId).toBe('files')
    expect(matchResource(table, '/files/a/b')?.pathParameters).toEqual({ path: 'a/b' })
  })

  it('finds nothing where no resource fits', () => {
    const noGreedy = compileRoutes(tree({ root: '/', a: '/a' }))
    expect(matchResource(noGreedy, '/b')).toBeUndefined()
    expect(matchResource(noGreedy, '/a/b')).toBeUndefined()
  })
})
