import {
  CreateDeploymentCommand,
  CreateRestApiCommand,
  CreateStageCommand,
  DeleteStageCommand,
  GetRestApiCommand,
  GetStageCommand,
  GetTagsCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawCall, startTestGateway, type TestGateway } from '../support/gateway.js'
import { expectAwsError, parity } from '../support/parity.js'

// Expected values recorded against AWS: test/parity/controlplane/restapis.json
// (test_apigateway_api.snapshot.json, test_create_rest_api_with_tags).
const restapis = parity('restapis')
let tg: TestGateway
beforeAll(async () => {
  tg = await startTestGateway()
})
afterAll(() => tg.close())

/** An API with a stage `dev`; the deployable method is written to the store (PutMethod is tested elsewhere). */
async function apiWithStage(tags?: Record<string, string>) {
  const api = await tg.client.send(new CreateRestApiCommand({ name: 'tags', ...(tags ? { tags } : {}) }))
  const apiId = api.id!
  await tg.gateway.store.transaction(async (tx) => {
    const doc = (await tx.get('restapi', '', apiId))!
    doc.resources[api.rootResourceId!]!.resourceMethods = {
      GET: {
        httpMethod: 'GET',
        authorizationType: 'NONE',
        apiKeyRequired: false,
        methodIntegration: { type: 'MOCK', timeoutInMillis: 29000, cacheKeyParameters: [] },
      },
    }
    await tx.put('restapi', '', apiId, doc)
  })
  await tg.client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'dev' }))
  const apiArn = `arn:aws:apigateway:us-east-1::/restapis/${apiId}`
  return { apiId, apiArn, stageArn: `${apiArn}/stages/dev` }
}

const getTags = async (resourceArn: string) =>
  (await tg.client.send(new GetTagsCommand({ resourceArn }))).tags

const stored = (apiId: string) =>
  tg.gateway.store.read(async (r) => ({
    api: await r.get('restapi', '', apiId),
    stages: await r.list('stage', apiId),
  }))

describe('tags', () => {
  it('reads the tags an API was created with, in the recorded shape', async () => {
    const recorded = restapis.shapes['test_create_rest_api_with_tags/get-rest-api-w-tags'] as {
      tags: Record<string, string>
    }
    const { apiArn, apiId } = await apiWithStage(recorded.tags)
    expect(await getTags(apiArn)).toEqual(recorded.tags)
    expect((await tg.client.send(new GetRestApiCommand({ restApiId: apiId }))).tags).toEqual(recorded.tags)
  })

  it('tags and untags APIs and stages by ARN', async () => {
    const { apiId, apiArn, stageArn } = await apiWithStage()
    expect(await getTags(apiArn)).toEqual({})
    const tagged = await tg.client.send(
      new TagResourceCommand({ resourceArn: apiArn, tags: { team: 'a', env: 'x' } }),
    )
    expect(tagged.$metadata.httpStatusCode).toBe(204)
    await tg.client.send(new TagResourceCommand({ resourceArn: apiArn, tags: { env: 'y' } }))
    await tg.client.send(new TagResourceCommand({ resourceArn: stageArn, tags: { tier: 'gold', cost: '1' } }))
    expect(await getTags(apiArn)).toEqual({ team: 'a', env: 'y' })
    expect(await getTags(stageArn)).toEqual({ tier: 'gold', cost: '1' })
    expect((await tg.client.send(new GetRestApiCommand({ restApiId: apiId }))).tags).toEqual({
      team: 'a',
      env: 'y',
    })
    expect((await tg.client.send(new GetStageCommand({ restApiId: apiId, stageName: 'dev' }))).tags).toEqual({
      tier: 'gold',
      cost: '1',
    })

    const untagged = await tg.client.send(
      new UntagResourceCommand({ resourceArn: apiArn, tagKeys: ['env', 'absent'] }),
    )
    expect(untagged.$metadata.httpStatusCode).toBe(204)
    await tg.client.send(new UntagResourceCommand({ resourceArn: stageArn, tagKeys: ['tier', 'cost'] }))
    expect(await getTags(apiArn)).toEqual({ team: 'a' })
    expect(await getTags(stageArn)).toEqual({})
  })

  it('takes stage tags at CreateStage', async () => {
    const { apiId, apiArn } = await apiWithStage()
    const deploymentId = (await tg.client.send(new CreateDeploymentCommand({ restApiId: apiId }))).id
    const stage = await tg.client.send(
      new CreateStageCommand({ restApiId: apiId, stageName: 'qa', deploymentId, tags: { owner: 'me' } }),
    )
    expect(stage.tags).toEqual({ owner: 'me' })
    expect(await getTags(`${apiArn}/stages/qa`)).toEqual({ owner: 'me' })
  })

  it('answers unknown and malformed ARNs with NotFoundException, changing nothing', async () => {
    const { apiId, apiArn } = await apiWithStage()
    const before = await stored(apiId)
    const arns = [
      'arn:aws:apigateway:us-east-1::/restapis/nosuchapi0',
      `${apiArn}/stages/nosuchstage`,
      `${apiArn}/resources/abc`,
      'not-an-arn',
    ]
    for (const resourceArn of arns) {
      const notFound = {
        code: 'NotFoundException',
        message: `Invalid resource identifier specified: ${resourceArn}`,
      }
      await expectAwsError(tg.client.send(new GetTagsCommand({ resourceArn })), notFound)
      await expectAwsError(
        tg.client.send(new TagResourceCommand({ resourceArn, tags: { a: 'b' } })),
        notFound,
      )
      await expectAwsError(
        tg.client.send(new UntagResourceCommand({ resourceArn, tagKeys: ['a'] })),
        notFound,
      )
    }
    await tg.client.send(new DeleteStageCommand({ restApiId: apiId, stageName: 'dev' }))
    await expectAwsError(tg.client.send(new GetTagsCommand({ resourceArn: `${apiArn}/stages/dev` })), {
      code: 'NotFoundException',
      message: `Invalid resource identifier specified: ${apiArn}/stages/dev`,
    })
    expect((await stored(apiId)).api).toEqual(before.api)
  })

  it('refuses tags beyond AWS limits and wrong JSON types, changing nothing', async () => {
    const { apiId, apiArn, stageArn } = await apiWithStage()
    await tg.client.send(new TagResourceCommand({ resourceArn: apiArn, tags: { keep: 'me' } }))
    const before = await stored(apiId)
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']))
    await expectAwsError(tg.client.send(new TagResourceCommand({ resourceArn: apiArn, tags: many })), {
      code: 'BadRequestException',
      message: 'A resource can have at most 50 tags',
    })
    await expectAwsError(
      tg.client.send(new TagResourceCommand({ resourceArn: stageArn, tags: { 'aws:x': 'v' } })),
      {
        code: 'BadRequestException',
        message: 'Invalid tag: aws:x',
      },
    )
    await expectAwsError(
      tg.client.send(new TagResourceCommand({ resourceArn: stageArn, tags: { long: 'v'.repeat(257) } })),
      { code: 'BadRequestException', message: 'Invalid tag: long' },
    )
    const path = `/tags/${encodeURIComponent(apiArn)}`
    const wrongType = await rawCall(tg.url, 'PUT', path, JSON.stringify({ tags: { a: 1 } }))
    expect(wrongType.status).toBe(400)
    expect(wrongType.errorType).toBe('SerializationException')
    const noTags = await rawCall(tg.url, 'PUT', path, JSON.stringify({}))
    expect(noTags.status).toBe(400)
    expect(noTags.errorType).toBe('BadRequestException')
    expect(await stored(apiId)).toEqual(before)
  })
})
