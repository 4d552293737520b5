import { afterAll, describe, expect, it } from 'vitest'
import { KeyedStoreView, SqliteConfigStore } from '../../src/store/index.js'

// The view ApiEndpoints and the Lambda service's function records share: a value per key,
// loaded again after every change, dropped when its load finds nothing or fails with nothing
// loaded before, and served as last loaded when a reload fails.
describe('KeyedStoreView', () => {
  const store = SqliteConfigStore.inMemory()
  let failing = false
  let loads = 0
  const stale: string[] = []
  const view = new KeyedStoreView<number>(
    store,
    async (key) => {
      loads++
      if (failing) throw new Error('store down')
      const found = await store.read((r) => r.get('restapi', '', key))
      return found ? Number(found.api.name) : undefined
    },
    (key) => stale.push(key),
  )
  afterAll(() => view.close())
  const put = (id: string, name: string) =>
    store.transaction((tx) => tx.put('restapi', '', id, { api: { id, name } } as never))

  it('loads a key once until the next change, then again', async () => {
    await put('a', '1')
    expect(await view.now('a')).toBe(1)
    expect(view.now('a')).toBe(1)
    expect(loads).toBe(1)
    await put('a', '2')
    expect(await view.now('a')).toBe(2)
    expect(loads).toBe(2)
  })

  it('drops a key whose load finds nothing, or fails with nothing loaded before', async () => {
    expect(await view.now('made-up')).toBeUndefined()
    expect(view.size).toBe(1)
    failing = true
    await expect(view.now('other')).rejects.toThrow('store down')
    expect(view.size).toBe(1)
  })

  it('serves the last value while a reload fails, and forgets the keys it is told to', async () => {
    failing = false
    await put('b', '7')
    expect(await view.now('b')).toBe(7)
    failing = true
    await put('b', '8')
    expect(await view.now('b')).toBe(7)
    expect(stale).toContain('b')
    view.forget((key) => key === 'b')
    expect(view.size).toBe(1)
  })
})
