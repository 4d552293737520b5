import {
  CreateRestApiCommand,
  DeleteRestApiCommand,
  GetRestApiCommand,
  GetRestApisCommand,
  UpdateRestApiCommand,
  NotFoundException,
  BadRequestException,
} from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawCall, startTestGateway, type TestGateway } from '../support/gateway.js'

// Expected values: test/parity/controlplane/restapis.json, copied from AWS recordings
// (test_apigateway_api.snapshot.json, TestApiGatewayApiRestApi).
let tg: TestGateway
beforeAll(async () => {
  tg = await startTestGateway()
})
afterAll(() => tg.close())

describe('rest APIs', () => {
  it('creates with the recorded defaults (EDGE, ipv4, HEADER)', async () => {
    const api = await tg.client.send(new CreateRestApiCommand({ name: 'defaults' }))
    expect(api.id).toMatch(/^[a-z0-9]{10}$/)
    expect(api.rootResourceId).toMatch(/^[a-z0-9]{10}$/)
    expect(api.createdDate).toBeInstanceOf(Date)
    expect(Math.abs(api.createdDate!.getTime() - Date.now())).toBeLessThan(5_000)
    expect(api).toMatchObject({
      name: 'defaults',
      apiKeySource: 'HEADER',
      disableExecuteApiEndpoint: false,
      endpointConfiguration: { types: ['EDGE'], ipAddressType: 'ipv4' },
    })
    expect(api.tags).toBeUndefined()
  })

  it('PRIVATE defaults to dualstack and refuses ipv4', async () => {
    const api = await tg.client.send(
      new CreateRestApiCommand({ name: 'p', endpointConfiguration: { types: ['PRIVATE'] } }),
    )
    expect(api.endpointConfiguration).toEqual({ types: ['PRIVATE'], ipAddressType: 'dualstack' })
    await expect(
      tg.client.send(
        new CreateRestApiCommand({
          name: 'p',
          endpointConfiguration: { types: ['PRIVATE'], ipAddressType: 'ipv4' },
        }),
      ),
    ).rejects.toThrow('Only dualstack ipAddressType is supported for Private APIs.')
  })

  it('reports enum violations together, as AWS words them', async () => {
    const r = await rawCall(
      tg.url,
      'POST',
      '/restapis',
      JSON.stringify({ name: 'x', endpointConfiguration: { types: ['wrong'], ipAddressType: 'wrong' } }),
    )
    expect(r.status).toBe(400)
    expect(r.errorType).toBe('ValidationException')
    expect(r.json).toEqual({
      message:
        "2 validation errors detected: Value '[wrong]' at 'createRestApiInput.endpointConfiguration.types' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [PRIVATE, EDGE, REGIONAL]]; Value 'wrong' at 'createRestApiInput.endpointConfiguration.ipAddressType' failed to satisfy constraint: Member must satisfy enum value set: [ipv4, dualstack]",
    })
  })

  it('refuses an empty description and a bad compression size', async () => {
    await expect(tg.client.send(new CreateRestApiCommand({ name: 'x', description: '' }))).rejects.toThrow(
      'Description cannot be an empty string',
    )
    const r = await rawCall(
      tg.url,
      'POST',
      '/restapis',
      JSON.stringify({ name: 'x', minimumCompressionSize: 'abc' }),
    )
    expect(r).toMatchObject({
      status: 400,
      errorType: 'BadRequestException',
      json: { message: 'Invalid minimum compression size, must be between 0 and 10485760' },
    })
  })

  it('gets, lists with paging, updates and deletes', async () => {
    const created = await Promise.all(
      ['a', 'b', 'c'].map((n) =>
        tg.client.send(new CreateRestApiCommand({ name: `page-${n}`, tags: { team: n }, description: 'd' })),
      ),
    )
    const got = await tg.client.send(new GetRestApiCommand({ restApiId: created[0]!.id }))
    expect(got).toMatchObject({ name: 'page-a', tags: { team: 'a' }, description: 'd' })

    const seen: string[] = []
    let position: string | undefined
    let pages = 0
    do {
      const page = await tg.client.send(
        new GetRestApisCommand({ limit: 2, ...(position ? { position } : {}) }),
      )
      expect(page.items!.length).toBeLessThanOrEqual(2)
      seen.push(...page.items!.map((i) => i.id!))
      position = page.position
      pages++
    } while (position)
    expect(pages).toBeGreaterThan(1)
    for (const api of created) expect(seen).toContain(api.id)
    expect(new Set(seen).size).toBe(seen.length)

    const updated = await tg.client.send(
      new UpdateRestApiCommand({
        restApiId: created[0]!.id,
        patchOperations: [
          { op: 'replace', path: '/name', value: 'renamed' },
          { op: 'add', path: '/binaryMediaTypes/image~1png', value: '' },
          { op: 'add', path: '/binaryMediaTypes/image~1jpeg', value: '' },
          { op: 'replace', path: '/minimumCompressionSize', value: '10' },
          { op: 'replace', path: '/endpointConfiguration/types/EDGE', value: 'REGIONAL' },
        ],
      }),
    )
    expect(updated).toMatchObject({
      name: 'renamed',
      binaryMediaTypes: ['image/png', 'image/jpeg'],
      minimumCompressionSize: 10,
      endpointConfiguration: { types: ['REGIONAL'], ipAddressType: 'ipv4' },
    })

    await tg.client.send(new DeleteRestApiCommand({ restApiId: created[1]!.id }))
    await expect(tg.client.send(new GetRestApiCommand({ restApiId: created[1]!.id }))).rejects.toBeInstanceOf(
      NotFoundException,
    )
  })

  it('answers an unknown API with the recorded message', async () => {
    const error = await tg.client
      .send(new GetRestApiCommand({ restApiId: 'nosuchapi0' }))
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NotFoundException)
    expect((error as Error).message).toBe('Invalid API identifier specified 000000000000:nosuchapi0')
  })

  it('a failed patch changes nothing', async () => {
    const api = await tg.client.send(new CreateRestApiCommand({ name: 'atomic' }))
    const error = await tg.client
      .send(
        new UpdateRestApiCommand({
          restApiId: api.id,
          patchOperations: [
            { op: 'replace', path: '/name', value: 'changed' },
            { op: 'replace', path: '/minimumCompressionSize', value: '-1' },
          ],
        }),
      )
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BadRequestException)
    const after = await tg.client.send(new GetRestApiCommand({ restApiId: api.id }))
    expect(after.name).toBe('atomic')
    expect(after.minimumCompressionSize).toBeUndefined()
  })
})
