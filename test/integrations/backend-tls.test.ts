import { request } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { BackendTls } from '../../src/integrations/backend-tls.js'
import type { ClientCertificateRecord } from '../../src/model/index.js'
import { SqliteConfigStore } from '../../src/store/index.js'

// The pools towards HTTPS backends: one per client certificate in use, closed once the
// certificate is deleted (a gateway whose certificates are rotated must not keep one per old one).

const record = (id: string): ClientCertificateRecord => ({
  clientCertificateId: id,
  // Pools are made without connecting: the PEM texts are not read until a request needs them.
  pemEncodedCertificate: `-----BEGIN CERTIFICATE-----\n${id}\n-----END CERTIFICATE-----\n`,
  privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${id}\n-----END PRIVATE KEY-----\n`,
  createdDate: 0,
  expirationDate: 0,
})

const opened: { tls: BackendTls; store: SqliteConfigStore }[] = []
afterEach(async () => {
  for (const { tls, store } of opened.splice(0)) {
    await tls.close()
    await store.close()
  }
})

describe('BackendTls', () => {
  it('keeps one pool per certificate, and closes the pool of a deleted certificate', async () => {
    const store = SqliteConfigStore.inMemory()
    const tls = new BackendTls(store)
    opened.push({ tls, store })
    await store.transaction(async (tx) => {
      await tx.put('clientcertificate', '', 'aaaa', record('aaaa'))
      await tx.put('clientcertificate', '', 'bbbb', record('bbbb'))
    })
    const a = await tls.dispatcher('aaaa')
    expect(await tls.dispatcher('aaaa')).toBe(a)
    const b = await tls.dispatcher('bbbb')
    expect(b).not.toBe(a)
    expect(tls.pools).toBe(2)

    await store.transaction(async (tx) => {
      await tx.delete('clientcertificate', '', 'aaaa')
    })
    // The next request with a certificate notices the change: b is kept, a is closed.
    expect(await tls.dispatcher('bbbb')).toBe(b)
    expect(tls.pools).toBe(1)
    // A closed pool refuses at once; an open one tries to connect (nothing listens on port 1).
    await expect(request('http://127.0.0.1:1/', { dispatcher: a })).rejects.toMatchObject({
      code: expect.stringMatching(/^UND_ERR_(CLOSED|DESTROYED)$/) as string,
    })
    await expect(request('http://127.0.0.1:1/', { dispatcher: b })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    })
  })
})
