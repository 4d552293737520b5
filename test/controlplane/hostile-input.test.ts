import { CreateRestApiCommand, GetRestApisCommand } from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, createPath } from '../support/apis.js'
import { rawCall, startTestGateway, type TestGateway } from '../support/gateway.js'
import { storedApi } from '../support/parity.js'

let tg: TestGateway
beforeAll(async () => {
  tg = await startTestGateway()
})
afterAll(() => tg.close())

const apiCount = async (): Promise<number> =>
  (await tg.client.send(new GetRestApisCommand({ limit: 500 }))).items!.length

describe('hostile and malformed input', () => {
  it('answers malformed JSON with a SerializationException and creates nothing', async () => {
    const before = await apiCount()
    for (const body of ['{"name": ', 'not json', '[1,2]', '"a string"', '{"name": "x",}']) {
      const r = await rawCall(tg.url, 'POST', '/restapis', body)
      expect(r.status, body).toBe(400)
      expect(r.errorType, body).toBe('SerializationException')
      expect(typeof (r.json as { message: unknown }).message).toBe('string')
    }
    expect(await apiCount()).toBe(before)
  })

  it('answers members of the wrong JSON type as AWS does', async () => {
    const before = await apiCount()
    const r = await rawCall(tg.url, 'POST', '/restapis', JSON.stringify({ name: 42 }))
    // AWS's Java deserialiser words it this way (recorded for other operations in test_apigateway_api.snapshot.json).
    expect(r).toEqual({
      status: 400,
      errorType: 'SerializationException',
      json: {
        message:
          'class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String',
      },
    })
    const list = await rawCall(
      tg.url,
      'POST',
      '/restapis',
      JSON.stringify({ name: 'x', binaryMediaTypes: 'image/png' }),
    )
    expect(list.status).toBe(400)
    expect(list.errorType).toBe('SerializationException')
    expect(await apiCount()).toBe(before)
  })

  it('refuses a body over 6 MB and keeps serving', async () => {
    const before = await apiCount()
    const r = await rawCall(
      tg.url,
      'POST',
      '/restapis',
      JSON.stringify({ name: 'x'.repeat(7 * 1024 * 1024) }),
    )
    expect(r.status).toBe(400)
    expect(r.errorType).toBe('BadRequestException')
    expect(await apiCount()).toBe(before)
    expect((await fetch(`${tg.url}/_tollgate/health`)).status).toBe(200)
  })

  it('refuses huge names with a clear message', async () => {
    const before = await apiCount()
    await expect(tg.client.send(new CreateRestApiCommand({ name: 'n'.repeat(1024 * 1024) }))).rejects.toThrow(
      'Invalid name',
    )
    const { apiId, rootId } = await createApi(tg.client)
    const doc = await storedApi(tg, apiId)
    const r = await rawCall(
      tg.url,
      'POST',
      `/restapis/${apiId}/resources/${rootId}`,
      JSON.stringify({ pathPart: 'p'.repeat(100_000) }),
    )
    expect(r.status).toBe(400)
    expect(r.errorType).toBe('BadRequestException')
    expect(await storedApi(tg, apiId)).toEqual(doc)
    expect(await apiCount()).toBe(before + 1)
  })

  it('never lets an id of one API reach into another', async () => {
    const a = await createApi(tg.client)
    const b = await createApi(tg.client)
    const resourceOfA = await createPath(tg.client, a.apiId, a.rootId, 'secret')
    const beforeA = await storedApi(tg, a.apiId)
    const beforeB = await storedApi(tg, b.apiId)
    const attempts = [
      rawCall(tg.url, 'GET', `/restapis/${b.apiId}/resources/${resourceOfA}`),
      rawCall(tg.url, 'DELETE', `/restapis/${b.apiId}/resources/${resourceOfA}`),
      rawCall(
        tg.url,
        'PATCH',
        `/restapis/${b.apiId}/resources/${resourceOfA}`,
        JSON.stringify({ patchOperations: [{ op: 'replace', path: '/pathPart', value: 'x' }] }),
      ),
      rawCall(
        tg.url,
        'POST',
        `/restapis/${b.apiId}/resources/${resourceOfA}`,
        JSON.stringify({ pathPart: 'child' }),
      ),
      rawCall(
        tg.url,
        'PUT',
        `/restapis/${b.apiId}/resources/${resourceOfA}/methods/GET`,
        JSON.stringify({ authorizationType: 'NONE' }),
      ),
      rawCall(
        tg.url,
        'PATCH',
        `/restapis/${b.apiId}/resources/${b.rootId}`,
        JSON.stringify({ patchOperations: [{ op: 'replace', path: '/parentId', value: resourceOfA }] }),
      ),
    ]
    for (const r of await Promise.all(attempts)) {
      expect(r.status).toBeGreaterThanOrEqual(400)
      expect(r.status).toBeLessThan(500)
    }
    expect((await attempts[0]!).json).toEqual({ message: 'Invalid Resource identifier specified' })
    expect(await storedApi(tg, a.apiId)).toEqual(beforeA)
    expect(await storedApi(tg, b.apiId)).toEqual(beforeB)
  })

  it('treats odd encodings and traversal in ids as unknown ids', async () => {
    const { apiId } = await createApi(tg.client)
    for (const id of ['..%2F..%2Fetc%2Fpasswd', '%00', '%2e%2e', '%ZZ', `${apiId}%00`]) {
      const r = await rawCall(tg.url, 'GET', `/restapis/${id}`)
      expect(r.status, id).toBe(r.errorType === 'UnknownOperationException' ? 404 : 404)
      expect(['NotFoundException', 'UnknownOperationException']).toContain(r.errorType)
    }
    const r = await rawCall(tg.url, 'GET', `/restapis/${apiId}/resources/%2e%2e%2f`)
    expect(r).toMatchObject({ status: 404, errorType: 'NotFoundException' })
  })

  it('answers unknown operations with a 404 in AWS shape', async () => {
    const r = await rawCall(tg.url, 'GET', '/no/such/operation')
    expect(r.status).toBe(404)
    expect(r.errorType).toBe('UnknownOperationException')
    expect(r.json).toEqual({ message: 'No operation matches GET /no/such/operation' })
    const wrongMethod = await rawCall(tg.url, 'POST', '/restapis/abc')
    expect(wrongMethod.status).toBe(404)
  })

  it('survives 50 concurrent writes to one API with a consistent tree', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        rawCall(
          tg.url,
          'POST',
          `/restapis/${apiId}/resources/${rootId}`,
          JSON.stringify({ pathPart: `r${i % 25}` }),
        ),
      ),
    )
    // 25 distinct names: exactly one write per name wins, the other gets a ConflictException.
    expect(results.filter((r) => r.status === 201)).toHaveLength(25)
    expect(results.filter((r) => r.errorType === 'ConflictException')).toHaveLength(25)
    const list = await rawCall(tg.url, 'GET', `/restapis/${apiId}/resources?limit=500`)
    expect((list.json as { item: unknown[] }).item).toHaveLength(26)
  })
})
