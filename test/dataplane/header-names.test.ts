import { describe, expect, it } from 'vitest'
import { headerNameSet } from '../../src/dataplane/request.js'

// Header names are case-insensitive (RFC 9110 §5.1): the hop-by-hop set is matched in any case.
describe('headerNameSet', () => {
  const hopByHop = headerNameSet(['connection', 'Transfer-Encoding', 'te'])

  it('matches its names in any case, and nothing else of the same length', () => {
    for (const name of ['connection', 'Connection', 'CONNECTION', 'transfer-encoding', 'TE', 'te'])
      expect([name, hopByHop(name)]).toEqual([name, true])
    for (const name of ['keep-alive', 'connections', 'x-transfer-encod', 'tx', '', 'Host'])
      expect([name, hopByHop(name)]).toEqual([name, false])
  })
})
