import {
  DeleteClientCertificateCommand,
  GenerateClientCertificateCommand,
  GetClientCertificateCommand,
  GetClientCertificatesCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway'
import * as x509 from '@peculiar/x509'
import { webcrypto, X509Certificate } from 'node:crypto'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { TLSSocket } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, deploy } from '../support/apis.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'

// Client certificates (AWS docs "getting-started-client-side-ssl-authentication"): the gateway
// presents the stage's certificate to an HTTPS backend that requires it.

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0])

let tg: TestGateway
let backend: Server
let apiId: string
let certificateId: string

/** A self-signed server certificate for the backend, made here. */
async function serverCertificate(): Promise<{ cert: string; key: string }> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=backend.test',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    signingAlgorithm: algorithm,
    keys,
  })
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64')
  return {
    cert: cert.toString('pem'),
    key: `-----BEGIN PRIVATE KEY-----\n${pkcs8}\n-----END PRIVATE KEY-----\n`,
  }
}

beforeAll(async () => {
  tg = await startTestGateway()
  const generated = await tg.client.send(
    new GenerateClientCertificateCommand({ description: 'for the backend' }),
  )
  certificateId = generated.clientCertificateId!
  const { cert, key } = await serverCertificate()
  backend = createServer(
    { cert, key, requestCert: true, rejectUnauthorized: true, ca: [generated.pemEncodedCertificate!] },
    (req, res) => {
      const peer = req.socket instanceof TLSSocket ? req.socket.getPeerX509Certificate() : undefined
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ client: peer?.subject ?? null }))
    },
  )
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
  const api = await createApi(tg.client)
  apiId = api.apiId
  await tg.client.send(
    new PutMethodCommand({
      restApiId: apiId,
      resourceId: api.rootId,
      httpMethod: 'GET',
      authorizationType: 'NONE',
    }),
  )
  await tg.client.send(
    new PutIntegrationCommand({
      restApiId: apiId,
      resourceId: api.rootId,
      httpMethod: 'GET',
      type: 'HTTP_PROXY',
      integrationHttpMethod: 'GET',
      uri: `https://127.0.0.1:${(backend.address() as AddressInfo).port}/`,
      tlsConfig: { insecureSkipVerification: true },
    }),
  )
  await deploy(tg.client, apiId, 'prod')
  await deploy(tg.client, apiId, 'plain')
  await tg.client.send(
    new UpdateStageCommand({
      restApiId: apiId,
      stageName: 'prod',
      patchOperations: [{ op: 'replace', path: '/clientCertificateId', value: certificateId }],
    }),
  )
})
afterAll(async () => {
  await tg.close()
  await new Promise<void>((resolve) => backend.close(() => resolve()))
})

describe('client certificates', () => {
  it('generates a certificate, shows it without its private key, and deletes it', async () => {
    const got = await tg.client.send(new GetClientCertificateCommand({ clientCertificateId: certificateId }))
    expect(got).toMatchObject({ clientCertificateId: certificateId, description: 'for the backend' })
    expect(Object.keys(got)).not.toContain('privateKeyPem')
    const parsed = new X509Certificate(got.pemEncodedCertificate!)
    expect(parsed.subject).toBe(`CN=${certificateId}`)
    const days = (Date.parse(parsed.validTo) - Date.parse(parsed.validFrom)) / 86_400_000
    expect(Math.round(days)).toBe(365)
    const other = await tg.client.send(new GenerateClientCertificateCommand({}))
    expect((await tg.client.send(new GetClientCertificatesCommand({}))).items).toHaveLength(2)
    await tg.client.send(
      new DeleteClientCertificateCommand({ clientCertificateId: other.clientCertificateId }),
    )
    await expect(
      tg.client.send(new GetClientCertificateCommand({ clientCertificateId: other.clientCertificateId })),
    ).rejects.toMatchObject({ name: 'NotFoundException' })
  })

  it("presents the stage's certificate to a backend that requires one", async () => {
    const ok = await fetch(`${tg.url}/_aws/execute-api/${apiId}/prod/`)
    expect(ok.status).toBe(200)
    expect(await ok.json()).toEqual({ client: `CN=${certificateId}` })
    // A stage without a client certificate is refused by the backend: AWS answers 500.
    expect((await fetch(`${tg.url}/_aws/execute-api/${apiId}/plain/`)).status).toBe(500)
  })
})
