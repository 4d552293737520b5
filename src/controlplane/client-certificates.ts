import { webcrypto } from 'node:crypto'
import { newId, type ClientCertificateRecord } from '../model/index.js'
import { notFound } from './api-error.js'
import { paginate } from './paging.js'
import { invalidPatchPath, readPatchOperations } from './patch.js'
import type { Route } from './router.js'

const certificateNotFound = (): Error => notFound('Invalid Client Certificate identifier specified')

/** What clients see: AWS's shape, without the private key. */
export function clientCertificateView(
  record: ClientCertificateRecord,
): Omit<ClientCertificateRecord, 'privateKeyPem'> {
  const { privateKeyPem: _, ...view } = record
  return view
}

/** @peculiar/x509, loaded on the first GenerateClientCertificate (it is a large part of start-up otherwise). */
let x509Module: Promise<typeof import('@peculiar/x509')> | undefined
function loadX509(): Promise<typeof import('@peculiar/x509')> {
  return (x509Module ??= import('@peculiar/x509').then((x509) => {
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0])
    return x509
  }))
}

/** AWS's client certificates are valid for 365 days. */
const VALIDITY_DAYS = 365

/**
 * A self-signed RSA 2048 certificate for the gateway to present to backends (AWS docs
 * "getting-started-client-side-ssl-authentication"). Generated with @peculiar/x509: node:crypto
 * makes keys but no X.509 certificates.
 */
async function generate(id: string): Promise<{ certificate: string; key: string; notAfter: Date }> {
  const algorithm = {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 2048,
  }
  const x509 = await loadX509()
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])
  const notBefore = new Date()
  const notAfter = new Date(notBefore.getTime() + VALIDITY_DAYS * 86_400_000)
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(id).toString('hex'),
    name: `CN=${id}`,
    notBefore,
    notAfter,
    signingAlgorithm: algorithm,
    keys,
  })
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64')
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END PRIVATE KEY-----\n`
  return { certificate: certificate.toString('pem'), key, notAfter }
}

/** GenerateClientCertificate, GetClientCertificate(s), UpdateClientCertificate, DeleteClientCertificate. */
export const clientCertificateRoutes: Route[] = [
  {
    method: 'POST',
    path: '/clientcertificates',
    handler: async (req, { store }) => {
      // The body is read first: a malformed one must not cost an RSA key generation.
      const description = req.body.string('description')
      const tags = req.body.stringMap('tags')
      const id = newId(6)
      const { certificate, key, notAfter } = await generate(id)
      const record: ClientCertificateRecord = {
        clientCertificateId: id,
        pemEncodedCertificate: certificate,
        createdDate: Math.floor(Date.now() / 1000),
        expirationDate: Math.floor(notAfter.getTime() / 1000),
        privateKeyPem: key,
        ...(description !== undefined ? { description } : {}),
        ...(tags ? { tags } : {}),
      }
      await store.transaction((tx) => tx.put('clientcertificate', '', id, record))
      return { status: 201, body: clientCertificateView(record) }
    },
  },
  {
    method: 'GET',
    path: '/clientcertificates',
    handler: async (req, { store }) => ({
      status: 200,
      body: paginate(
        (await store.read((r) => r.list('clientcertificate', ''))).map(clientCertificateView),
        req.query,
      ),
    }),
  },
  {
    method: 'GET',
    path: '/clientcertificates/{clientcertificate_id}',
    handler: async (req, { store }) => {
      const record = await store.read((r) =>
        r.get('clientcertificate', '', req.params['clientcertificate_id'] ?? ''),
      )
      if (!record) throw certificateNotFound()
      return { status: 200, body: clientCertificateView(record) }
    },
  },
  {
    method: 'PATCH',
    path: '/clientcertificates/{clientcertificate_id}',
    handler: async (req, { store }) => {
      const operations = readPatchOperations(req.body, 'updateClientCertificateInput')
      const record = await store.transaction(async (tx) => {
        const current = await tx.get('clientcertificate', '', req.params['clientcertificate_id'] ?? '')
        if (!current) throw certificateNotFound()
        for (const op of operations) {
          if (op.path !== '/description') throw invalidPatchPath(op, ['/description'])
          current.description = op.value ?? ''
        }
        await tx.put('clientcertificate', '', current.clientCertificateId, current)
        return current
      })
      return { status: 200, body: clientCertificateView(record) }
    },
  },
  {
    method: 'DELETE',
    path: '/clientcertificates/{clientcertificate_id}',
    handler: async (req, { store }) => {
      const removed = await store.transaction((tx) =>
        tx.delete('clientcertificate', '', req.params['clientcertificate_id'] ?? ''),
      )
      if (!removed) throw certificateNotFound()
      return { status: 202 }
    },
  },
]
