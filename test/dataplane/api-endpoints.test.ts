import { afterAll, describe, expect, it } from 'vitest'
import { ApiEndpoints } from '../../src/dataplane/api-endpoints.js'
import type { EndpointType, RestApiDocument } from '../../src/model/index.js'
import { SqliteConfigStore } from '../../src/store/index.js'

/** The part of an API's document the endpoint types come from. */
const doc = (id: string, types: EndpointType[]): RestApiDocument =>
  ({ api: { id, endpointConfiguration: { types } }, resources: {} }) as unknown as RestApiDocument

describe('ApiEndpoints', () => {
  const store = SqliteConfigStore.inMemory()
  const endpoints = new ApiEndpoints(store)
  afterAll(() => endpoints.close())

  it("answers an API's current types, reloaded after a change, and forgets an API deleted", async () => {
    await store.transaction((tx) => tx.put('restapi', '', 'a1', doc('a1', ['EDGE'])))
    await store.transaction((tx) => tx.put('restapi', '', 'a2', doc('a2', ['REGIONAL'])))
    expect(await endpoints.typesOf('a1')).toEqual(['EDGE'])
    // Loaded: answered at once, without a promise.
    expect(endpoints.typesOf('a1')).toEqual(['EDGE'])
    expect(endpoints.size).toBe(1)

    await store.transaction((tx) => tx.put('restapi', '', 'a1', doc('a1', ['PRIVATE'])))
    expect(await endpoints.typesOf('a1')).toEqual(['PRIVATE'])
    expect(await endpoints.typesOf('a2')).toEqual(['REGIONAL'])

    await store.transaction((tx) => tx.delete('restapi', '', 'a2'))
    expect(await endpoints.typesOf('a2')).toBeUndefined()
    expect(endpoints.size).toBe(1)
    expect(endpoints.typesOf('a1')).toBeInstanceOf(Promise)
    expect(await endpoints.typesOf('a1')).toEqual(['PRIVATE'])
  })
})
