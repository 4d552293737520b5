import {
  CreateResourceCommand,
  DeleteResourceCommand,
  GetResourceCommand,
  GetResourcesCommand,
  UpdateResourceCommand,
} from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, createPath } from '../support/apis.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { expectAwsError, parity, recordedError, storedApi } from '../support/parity.js'

// Expected values: test/parity/controlplane/resources.json (recorded against AWS).
const recorded = parity('resources')
let tg: TestGateway
beforeAll(async () => {
  tg = await startTestGateway()
})
afterAll(() => tg.close())

describe('resources', () => {
  it('follows the recorded lifecycle: create, list in tree order, rename, delete', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    const pets = await tg.client.send(
      new CreateResourceCommand({ restApiId: apiId, parentId: rootId, pathPart: 'pets' }),
    )
    expect(pets).toMatchObject({ parentId: rootId, path: '/pets', pathPart: 'pets' })
    expect(pets.id).toMatch(/^[a-z0-9]{6}$/)
    const sub = await tg.client.send(
      new CreateResourceCommand({ restApiId: apiId, parentId: pets.id, pathPart: 'subpets' }),
    )
    expect(sub.path).toBe('/pets/subpets')
    const list = await tg.client.send(new GetResourcesCommand({ restApiId: apiId }))
    expect(list.items!.map((r) => r.path)).toEqual(['/', '/pets', '/pets/subpets'])
    const renamed = await tg.client.send(
      new UpdateResourceCommand({
        restApiId: apiId,
        resourceId: pets.id,
        patchOperations: [{ op: 'replace', path: '/pathPart', value: 'dogs' }],
      }),
    )
    expect(renamed.path).toBe('/dogs')
    expect(
      (await tg.client.send(new GetResourceCommand({ restApiId: apiId, resourceId: sub.id }))).path,
    ).toBe('/dogs/subpets')
    await tg.client.send(new DeleteResourceCommand({ restApiId: apiId, resourceId: pets.id }))
    // The subtree goes with it.
    const after = await tg.client.send(new GetResourcesCommand({ restApiId: apiId }))
    expect(after.items!.map((r) => r.path)).toEqual(['/'])
    await expectAwsError(
      tg.client.send(new GetResourceCommand({ restApiId: apiId, resourceId: sub.id })),
      recordedError(recorded, 'test_delete_resource/delete-subresource'),
    )
  })

  it('applies AWS rules for {proxy+} and variable siblings, as recorded', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    const proxy = await tg.client.send(
      new CreateResourceCommand({ restApiId: apiId, parentId: rootId, pathPart: '{proxy+}' }),
    )
    expect(proxy.path).toBe('/{proxy+}')
    const before = await storedApi(tg, apiId)
    await expectAwsError(
      tg.client.send(new CreateResourceCommand({ restApiId: apiId, parentId: rootId, pathPart: '{id}' })),
      recordedError(recorded, 'test_create_proxy_resource_validation/create-proxy-dynamic-sibling-resource'),
    )
    await expectAwsError(
      tg.client.send(new CreateResourceCommand({ restApiId: apiId, parentId: proxy.id, pathPart: 'child' })),
      recordedError(recorded, 'test_create_proxy_resource_validation/create-proxy-static-child-resource'),
    )
    expect(await storedApi(tg, apiId)).toEqual(before)
    // A literal sibling is fine, and may have its own greedy child.
    const parent = await createPath(tg.client, apiId, rootId, 'parent/{proxy+}')
    expect(
      (await tg.client.send(new GetResourceCommand({ restApiId: apiId, resourceId: parent }))).path,
    ).toBe('/parent/{proxy+}')
  })

  it('refuses bad updates with the recorded errors and changes nothing', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    const pets = await createPath(tg.client, apiId, rootId, 'pets')
    const sub = await createPath(tg.client, apiId, pets, 'subpets')
    await createPath(tg.client, apiId, sub, 'pets')
    const before = await storedApi(tg, apiId)
    const update = (
      resourceId: string,
      op: { op: 'add' | 'replace' | 'remove'; path: string; value?: string },
    ) => tg.client.send(new UpdateResourceCommand({ restApiId: apiId, resourceId, patchOperations: [op] }))
    await expectAwsError(
      update('nosuch', { op: 'replace', path: '/pathPart', value: 'x' }),
      recordedError(recorded, 'test_update_resource_behaviour/nonexistent-resource'),
    )
    await expectAwsError(
      update(pets, { op: 'replace', path: '/invalid', value: 'x' }),
      recordedError(recorded, 'test_update_resource_behaviour/invalid-path-part'),
    )
    await expectAwsError(
      update(pets, { op: 'replace', path: '/parentId', value: 'nosuch' }),
      recordedError(recorded, 'test_update_resource_behaviour/invalid-parent-id'),
    )
    await expectAwsError(
      update(pets, { op: 'replace', path: '/parentId', value: sub }),
      recordedError(recorded, 'test_update_resource_behaviour/update-parent-id-to-subresource-id'),
    )
    // Moving /pets/subpets/pets under the root would give the root a second "pets".
    const nested = (await tg.client.send(new GetResourcesCommand({ restApiId: apiId }))).items!.find(
      (r) => r.path === '/pets/subpets/pets',
    )!
    await expectAwsError(
      update(nested.id!, { op: 'replace', path: '/parentId', value: rootId }),
      recordedError(recorded, 'test_update_resource_behaviour/existing-future-sibling-path'),
    )
    await expectAwsError(
      update(pets, { op: 'remove', path: '/pathPart' }),
      recordedError(recorded, 'test_update_resource_behaviour/remove-unsupported'),
    )
    await expectAwsError(
      update(pets, { op: 'add', path: '/pathPart', value: 'x' }),
      recordedError(recorded, 'test_update_resource_behaviour/add-unsupported'),
    )
    await expectAwsError(
      update(rootId, { op: 'replace', path: '/pathPart', value: 'x' }),
      recordedError(recorded, 'test_update_resource_on_root/update-root-path-part'),
    )
    await expectAwsError(
      update(rootId, { op: 'replace', path: '/parentId', value: pets }),
      recordedError(recorded, 'test_update_resource_on_root/update-root-parent'),
    )
    expect(await storedApi(tg, apiId)).toEqual(before)
  })
})
