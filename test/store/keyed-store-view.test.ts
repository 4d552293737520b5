import { afterAll, describe, expect, it } from 'vitest'
import { KeyedStoreView, SqliteConfigStore } from '../../src/store/index.js'

// The view ApiEndpoints and the Lambda service's function records share: a value per key,
// loaded again after every change, dropped when its load finds nothing or fails with nothing
// loaded before, and served as last loaded when a reload fails; with `revalidateMs`, keys nobody
// asks for are loaded again after a change, so one deleted elsewhere is found gone.
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
    { onStale: (key) => stale.push(key) },
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

describe('KeyedStoreView with onGone and revalidateMs', () => {
  const store = SqliteConfigStore.inMemory()
  const gone: string[] = []
  const view = new KeyedStoreView<string>(
    store,
    async (key) => (await store.read((r) => r.get('restapi', '', key)))?.api.name,
    { onGone: (key) => gone.push(key), revalidateMs: 20 },
  )
  afterAll(() => view.close())
  const put = (id: string) =>
    store.transaction((tx) => tx.put('restapi', '', id, { api: { id, name: id } } as never))
  const remove = (id: string) => store.transaction((tx) => tx.delete('restapi', '', id))
  const until = async (done: () => boolean): Promise<void> => {
    const deadline = Date.now() + 2_000
    while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
  }

  it('tells of a key that had a value and is gone, found without being asked for again', async () => {
    await put('x')
    await put('y')
    expect(await view.now('x')).toBe('x')
    expect(await view.now('y')).toBe('y')
    await remove('x')
    // Nobody asks for x again: the background reload finds it gone.
    await until(() => gone.length > 0)
    expect(gone).toEqual(['x'])
    expect(view.size).toBe(1)
  })

  it('does not tell of a key that never had a value', async () => {
    expect(await view.now('never')).toBeUndefined()
    await put('z')
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(gone).toEqual(['x'])
  })

  it('tells of a key found gone on its next use, before the background reload', async () => {
    const slow = new KeyedStoreView<string>(
      store,
      async (key) => (await store.read((r) => r.get('restapi', '', key)))?.api.name,
      { onGone: (key) => gone.push(`used:${key}`) },
    )
    try {
      expect(await slow.now('y')).toBe('y')
      await remove('y')
      expect(await slow.now('y')).toBeUndefined()
      expect(gone).toContain('used:y')
      expect(slow.size).toBe(0)
    } finally {
      slow.close()
    }
  })

  it('tells of a key whose first load a change overtook, once it is gone', async () => {
    // The value is read, then a change commits before the load hands it over: LastGood keeps no
    // `last` for such a load, yet the caller was served, so the key's deletion must be told.
    let gate: Promise<void> | undefined
    let open = (): void => undefined
    const overtaken = new KeyedStoreView<string>(
      store,
      async (key) => {
        const name = (await store.read((r) => r.get('restapi', '', key)))?.api.name
        await gate
        return name
      },
      { onGone: (key) => gone.push(`overtaken:${key}`) },
    )
    try {
      await put('w')
      gate = new Promise((resolve) => (open = resolve))
      const first = overtaken.now('w')
      await put('unrelated')
      gate = undefined
      open()
      expect(await first).toBe('w')
      await remove('w')
      expect(await overtaken.now('w')).toBeUndefined()
      expect(gone).toContain('overtaken:w')
    } finally {
      overtaken.close()
    }
  })
})
