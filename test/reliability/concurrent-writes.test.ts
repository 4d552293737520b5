import { CreateResourceCommand, GetResourcesCommand } from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi } from '../support/apis.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'

// 50 concurrent management writes on one API (issue 16) leave a consistent resource tree: each
// write is one transaction on the API's document, so none is lost and none duplicates a path.
describe('concurrent management writes', () => {
  let tg: TestGateway
  beforeAll(async () => {
    tg = await startTestGateway()
  })
  afterAll(async () => {
    await tg.close()
  })

  it('keeps every one of 50 concurrent CreateResource calls, and one of each duplicate path', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    // 40 distinct children, and 10 more calls that repeat 5 of the path parts.
    const parts = [
      ...Array.from({ length: 40 }, (_, i) => `r${i}`),
      ...Array.from({ length: 10 }, (_, i) => `dup${i % 5}`),
    ]
    const outcomes = await Promise.allSettled(
      parts.map((pathPart) =>
        tg.client.send(new CreateResourceCommand({ restApiId: apiId, parentId: rootId, pathPart })),
      ),
    )
    const refused = outcomes.filter((o) => o.status === 'rejected')
    expect(refused).toHaveLength(5)
    for (const r of refused) expect(r.reason).toMatchObject({ name: 'ConflictException' })

    const resources = await tg.client.send(new GetResourcesCommand({ restApiId: apiId, limit: 500 }))
    const paths = resources.items!.map((r) => r.path!).sort()
    expect(paths).toEqual(['/', ...new Set(parts.map((p) => `/${p}`))].sort())
    for (const item of resources.items!) if (item.path !== '/') expect(item.parentId).toBe(rootId)
    const ids = new Set(resources.items!.map((r) => r.id))
    expect(ids.size).toBe(resources.items!.length)
  })
})
