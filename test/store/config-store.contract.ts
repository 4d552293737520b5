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
