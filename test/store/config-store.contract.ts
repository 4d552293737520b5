import { describe, expect, it } from 'vitest'
import type { ConfigStore } from '../../src/store/index.js'
import type { RestApiDocument } from '../../src/model/index.js'

function doc(id: string, name = id): RestApiDocument {
  const d: RestApiDocument = {
    api: {
      id,
      name,
      createdDate: 0,
      apiKeySource: 'HEADER',
      endpointConfiguration: { types: ['EDGE'], ipAddressType: 'ipv4' },
      disableExecuteApiEndpoint: false,
      rootResourceId: 'root',
    },
    resources: { root: { id: 'root' } },
    models: {},
    requestValidators: {},
    gatewayResponses: {},
  }
  return d
}

/** The behaviour every ConfigStore must have (SQLite now, PostgreSQL later). */
export function configStoreContract(name: string, make: () => Promise<ConfigStore> | ConfigStore): void {
  describe(`ConfigStore: ${name}`, () => {
    it('puts, gets, lists in insertion order, and deletes', async () => {
      const store = await make()
      await store.transaction(async (tx) => {
        await tx.put('restapi', '', 'b', doc('b'))
        await tx.put('restapi', '', 'a', doc('a'))
      })
      expect((await store.read((r) => r.list('restapi', ''))).map((d) => d.api.id)).toEqual(['b', 'a'])
      await store.transaction((tx) => tx.put('restapi', '', 'b', doc('b', 'renamed')))
      expect((await store.read((r) => r.get('restapi', '', 'b')))?.api.name).toBe('renamed')
      expect((await store.read((r) => r.list('restapi', ''))).map((d) => d.api.id)).toEqual(['b', 'a'])
      expect(await store.transaction((tx) => tx.delete('restapi', '', 'b'))).toBe(true)
      expect(await store.transaction((tx) => tx.delete('restapi', '', 'b'))).toBe(false)
      expect(await store.read((r) => r.get('restapi', '', 'b'))).toBeUndefined()
      await store.close()
    })

    it('deletes a whole scope', async () => {
      const store = await make()
      await store.transaction(async (tx) => {
        await tx.put('restapi', '', 'x', doc('x'))
        await tx.put('stage', 'x', 'dev', { stageName: 'dev' } as never)
        await tx.put('stage', 'y', 'dev', { stageName: 'dev' } as never)
        await tx.deleteScope('x')
      })
      expect(await store.read((r) => r.get('stage', 'x', 'dev'))).toBeUndefined()
      expect(await store.read((r) => r.get('stage', 'y', 'dev'))).toBeDefined()
      expect(await store.read((r) => r.get('restapi', '', 'x'))).toBeDefined()
      await store.close()
    })

    it('rolls back every write of a transaction that throws', async () => {
      const store = await make()
      await store.transaction((tx) => tx.put('restapi', '', 'keep', doc('keep')))
      const revision = await store.revision()
      await expect(
        store.transaction(async (tx) => {
          await tx.put('restapi', '', 'new', doc('new'))
          await tx.delete('restapi', '', 'keep')
          throw new Error('boom')
        }),
      ).rejects.toThrow('boom')
      expect(await store.read((r) => r.get('restapi', '', 'new'))).toBeUndefined()
      expect(await store.read((r) => r.get('restapi', '', 'keep'))).toBeDefined()
      expect(await store.revision()).toBe(revision)
      await store.close()
    })

    it('bumps the revision and notifies only on committed writes', async () => {
      const store = await make()
      const seen: number[] = []
      const unsubscribe = store.onChange((revision) => seen.push(revision))
      const start = await store.revision()
      await store.transaction((tx) => tx.put('restapi', '', 'a', doc('a')))
      await store.transaction((tx) => tx.get('restapi', '', 'a'))
      await store.transaction((tx) => tx.put('restapi', '', 'b', doc('b')))
      expect(await store.revision()).toBe(start + 2)
      expect(seen).toEqual([start + 1, start + 2])
      unsubscribe()
      await store.transaction((tx) => tx.put('restapi', '', 'c', doc('c')))
      expect(seen).toHaveLength(2)
      await store.close()
    })

    it('keeps kinds and scopes apart', async () => {
      const store = await make()
      await store.transaction(async (tx) => {
        await tx.put('restapi', '', 'same', doc('same', 'api'))
        await tx.put('stage', 'same', 'same', { stageName: 'in scope same' } as never)
        await tx.put('stage', 'other', 'same', { stageName: 'in scope other' } as never)
      })
      expect(await store.read((r) => r.list('stage', 'same'))).toEqual([{ stageName: 'in scope same' }])
      expect(await store.read((r) => r.list('stage', ''))).toEqual([])
      expect(await store.read((r) => r.list('deployment', 'same'))).toEqual([])
      expect(await store.transaction((tx) => tx.delete('deployment', 'same', 'same'))).toBe(false)
      expect((await store.read((r) => r.get('restapi', '', 'same')))?.api.name).toBe('api')
      await store.close()
    })

    it('lets a transaction read its own writes', async () => {
      const store = await make()
      const seen = await store.transaction(async (tx) => {
        await tx.put('restapi', '', 'a', doc('a'))
        const afterPut = await tx.get('restapi', '', 'a')
        await tx.delete('restapi', '', 'a')
        return { afterPut: afterPut?.api.id, afterDelete: await tx.get('restapi', '', 'a') }
      })
      expect(seen).toEqual({ afterPut: 'a', afterDelete: undefined })
      await store.close()
    })

    it('stores values, not references', async () => {
      const store = await make()
      const original = doc('a', 'stored')
      await store.transaction((tx) => tx.put('restapi', '', 'a', original))
      original.api.name = 'changed after put'
      const read = await store.read((r) => r.get('restapi', '', 'a'))
      expect(read?.api.name).toBe('stored')
      read!.api.name = 'changed after get'
      expect((await store.read((r) => r.get('restapi', '', 'a')))?.api.name).toBe('stored')
      await store.close()
    })

    it('never shows a reader the writes of an unfinished or failed transaction', async () => {
      const store = await make()
      let release!: () => void
      const held = new Promise<void>((resolve) => (release = resolve))
      let wrote!: () => void
      const written = new Promise<void>((resolve) => (wrote = resolve))
      const failing = store.transaction(async (tx) => {
        await tx.put('restapi', '', 'ghost', doc('ghost'))
        wrote()
        await held
        throw new Error('abandoned')
      })
      await written
      const read = store.read((r) => r.get('restapi', '', 'ghost'))
      release()
      await expect(failing).rejects.toThrow('abandoned')
      expect(await read).toBeUndefined()
      await store.close()
    })

    it('leaves the revision alone for transactions that change nothing', async () => {
      const store = await make()
      const start = await store.revision()
      await store.transaction(async (tx) => {
        await tx.delete('restapi', '', 'missing')
        await tx.deleteScope('no-such-scope')
        return tx.list('restapi', '')
      })
      expect(await store.revision()).toBe(start)
      await store.close()
    })

    it('serialises concurrent read-modify-write transactions', async () => {
      const store = await make()
      await store.transaction((tx) => tx.put('restapi', '', 'counter', doc('counter', '0')))
      await Promise.all(
        Array.from({ length: 50 }, () =>
          store.transaction(async (tx) => {
            const current = await tx.get('restapi', '', 'counter')
            await new Promise((resolve) => setImmediate(resolve))
            await tx.put('restapi', '', 'counter', doc('counter', String(Number(current?.api.name) + 1)))
          }),
        ),
      )
      expect((await store.read((r) => r.get('restapi', '', 'counter')))?.api.name).toBe('50')
      await store.close()
    })
  })
}
