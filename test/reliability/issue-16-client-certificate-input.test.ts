import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawCall, startTestGateway, type TestGateway } from '../support/gateway.js'

// Found by the management fuzz (issue 16): GenerateClientCertificate made an RSA 2048 key pair
// (100-500 ms of CPU on a 2-core machine) before reading its body, so malformed calls cost as
// much as real ones. The body is read first now.
describe('GenerateClientCertificate with a malformed body', () => {
  let tg: TestGateway
  beforeAll(async () => {
    tg = await startTestGateway()
  })
  afterAll(async () => {
    await tg.close()
  })

  it('refuses 40 malformed calls without generating a key for any', async () => {
    const started = performance.now()
    const answers = await Promise.all(
      Array.from({ length: 40 }, () =>
        rawCall(tg.url, 'POST', '/clientcertificates', '{"description": 1.5}'),
      ),
    )
    const elapsed = performance.now() - started
    expect(answers.map((a) => a.errorType)).toEqual(Array(40).fill('SerializationException'))
    // 40 key generations take several seconds; 40 refusals take milliseconds (a 2 s margin for a
    // loaded machine).
    expect(elapsed).toBeLessThan(2_000)
    const list = await rawCall(tg.url, 'GET', '/clientcertificates')
    expect(list.json).toEqual({ item: [] })
  })
})
