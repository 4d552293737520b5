import { describe, expect, it } from 'vitest'
import { createApi, createPath, deploy, putMethodWithIntegration } from '../support/apis.js'
import { gatewayWithBackend } from '../support/gateway.js'

// `__proto__` and `constructor` keys in request data (issue 16): they reach templates and
// backends as plain data and never change a prototype of the gateway's process (the gateway runs
// in this test's process, so a polluted Object.prototype would show here).
// Written as text: in an object literal `__proto__: {...}` would set the prototype, not a key.
const HOSTILE =
  '{"__proto__": {"polluted": "via __proto__"}, "constructor": {"prototype": {"polluted": "via constructor"}}, "name": "rex"}'

describe('prototype pollution through request data', () => {
  let base = ''
  const env = gatewayWithBackend(async (tg, backend) => {
    const { apiId, rootId } = await createApi(tg.client)
    const pets = await createPath(tg.client, apiId, rootId, 'pets')
    await putMethodWithIntegration(tg.client, apiId, pets, 'POST', {
      type: 'HTTP',
      integrationHttpMethod: 'POST',
      uri: `${backend.url}/pets`,
      requestTemplates: {
        'application/json': [
          "#set($body = $input.path('$'))",
          '{"whole": $input.json(\'$\'), "proto": "$body.__proto__.polluted", ',
          '"viaPath": "$input.path(\'$.__proto__.polluted\')", "name": "$body.name", ',
          '"ctor": "$body.constructor.prototype.polluted"}',
        ].join('\n'),
      },
    })
    await deploy(tg.client, apiId, 'prod')
    base = `${tg.url}/_aws/execute-api/${apiId}/prod`
  })

  it('keeps the keys as data, and every prototype as it was', async () => {
    const response = await fetch(`${base}/pets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: HOSTILE,
    })
    expect(response.status).toBe(200)
    const sent = env.backend.received.at(-1)!
    const mapped = JSON.parse(sent.body.toString()) as Record<string, unknown>
    // The body as sent, own keys included; values reached by path are the data's own.
    expect(mapped['whole']).toEqual(JSON.parse(HOSTILE))
    expect(Object.keys(mapped['whole'] as object)).toEqual(['__proto__', 'constructor', 'name'])
    expect(mapped['name']).toBe('rex')
    expect(mapped['viaPath']).toBe('via __proto__')
    expect(mapped['ctor']).toBe('via constructor')
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    expect((Object.prototype as Record<string, unknown>)['polluted']).toBeUndefined()
  })
})
