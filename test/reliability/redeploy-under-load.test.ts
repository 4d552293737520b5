import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, deploy, putMockMethod, setResponseTemplates } from '../support/apis.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'

// A new deployment every second under steady load (issue 16, "a new deployment every 2 s under
// load"; shortened for CI): no request fails, and each answer is whole and from exactly one
// deployment (a request keeps the deployment it started with).
describe('redeploying under load', () => {
  let tg: TestGateway
  let apiId = ''
  let rootId = ''

  beforeAll(async () => {
    tg = await startTestGateway()
    ;({ apiId, rootId } = await createApi(tg.client))
    await putMockMethod(tg.client, apiId, rootId, 'GET', '{"version": 0, "tail": "v0"}')
    await deploy(tg.client, apiId, 'prod')
  })

  afterAll(async () => {
    await tg.close()
  })

  it('answers every request, each from one deployment', async () => {
    const url = `${tg.url}/_aws/execute-api/${apiId}/prod/`
    const answers: { status: number; body: string }[] = []
    let running = true
    // Ten clients in a loop, each sending its next request when the last one is answered.
    const clients = Array.from({ length: 10 }, async () => {
      while (running) {
        const response = await fetch(url)
        answers.push({ status: response.status, body: await response.text() })
      }
    })
    const deployments = 6
    for (let version = 1; version <= deployments; version++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000))
      // The template's two fields name the same version: a mixed answer would show two.
      await setResponseTemplates(tg.client, apiId, rootId, 'GET', {
        'application/json': `{"version": ${version}, "tail": "v${version}"}`,
      })
      await deploy(tg.client, apiId, 'prod')
    }
    await new Promise((resolve) => setTimeout(resolve, 500))
    running = false
    await Promise.all(clients)

    expect(answers.length).toBeGreaterThan(100)
    expect(answers.filter((a) => a.status !== 200)).toEqual([])
    const seen = new Set<number>()
    for (const { body } of answers) {
      const parsed = JSON.parse(body) as { version: number; tail: string }
      expect(parsed.tail).toBe(`v${parsed.version}`)
      seen.add(parsed.version)
    }
    // Every deployment served requests, the last one included.
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6])
  }, 30_000)
})
