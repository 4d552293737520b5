import { CreateBasePathMappingCommand, CreateDomainNameCommand } from '@aws-sdk/client-api-gateway'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { request } from 'node:https'
import { join } from 'node:path'
import { connect } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, createPath, deploy, putMockMethod } from '../support/apis.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { freePort, tempDir } from '../support/process.js'
import { skipUnlessTool } from '../support/tools.js'

// The HTTPS listener of custom domain names (AWS docs "how-to-custom-domains",
// "rest-api-mutual-tls"): certificates picked by SNI, mutual TLS with a truststore per domain, the
// client certificate in $context.identity.clientCert. Certificates are made here with openssl.

const OPENSSL = '/usr/bin/openssl'
const skip = await skipUnlessTool('openssl', OPENSSL, 'apt-get install -y openssl')

const dir = tempDir('tollgate-tls-')
const file = (name: string) => join(dir, name)
const openssl = (...args: string[]) => execFileSync(OPENSSL, args, { stdio: 'pipe' })

/** A CA, and a certificate for `cn` it signs. */
function makeCertificates(): void {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=Tollgate Test Client CA',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
  )
  for (const [name, cn] of [
    ['server', 'api.example.com'],
    ['secure', 'secure.example.com'],
    ['client', 'alice'],
  ]) {
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${cn}/O=Example`,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
    )
    openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      file(`${name}.pem`),
    )
  }
  // A client certificate from a CA the domain does not trust.
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=mallory',
    '-keyout',
    file('rogue.key'),
    '-out',
    file('rogue.pem'),
  )
}

let tg: TestGateway | undefined
let tlsPort = 0
beforeAll(async () => {
  if (skip) return
  makeCertificates()
  tlsPort = await freePort()
  tg = await startTestGateway({
    tlsPort,
    domainCertificates: [
      { domain: 'api.example.com', cert: file('server.pem'), key: file('server.key') },
      {
        domain: 'secure.example.com',
        cert: file('secure.pem'),
        key: file('secure.key'),
        truststore: file('ca.pem'),
      },
    ],
  })
  const { apiId, rootId } = await createApi(tg.client)
  const hello = await createPath(tg.client, apiId, rootId, 'hello')
  await putMockMethod(
    tg.client,
    apiId,
    hello,
    'GET',
    '{"domain": "$context.domainName", "subject": "$context.identity.clientCert.subjectDN", "issuer": "$context.identity.clientCert.issuerDN"}',
  )
  await deploy(tg.client, apiId, 'prod')
  for (const domainName of ['api.example.com', 'secure.example.com']) {
    await tg.client.send(
      new CreateDomainNameCommand({
        domainName,
        endpointConfiguration: { types: ['REGIONAL'] },
        regionalCertificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/x',
      }),
    )
    await tg.client.send(new CreateBasePathMappingCommand({ domainName, restApiId: apiId, stage: 'prod' }))
  }
})
afterAll(async () => {
  await tg?.close()
})

function get(servername: string, client?: 'client' | 'rogue'): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: tlsPort,
        path: '/hello',
        servername,
        headers: { Host: servername },
        ca: readFileSync(file('ca.pem')),
        ...(client
          ? { cert: readFileSync(file(`${client}.pem`)), key: readFileSync(file(`${client}.key`)) }
          : {}),
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            json: JSON.parse(Buffer.concat(chunks).toString() || 'null'),
          }),
        )
      },
    )
    req.on('error', reject)
    req.end()
  })
}

describe.skipIf(skip)('HTTPS custom domains', () => {
  it('serves a domain over TLS with the certificate chosen by SNI', async () => {
    expect(await get('api.example.com')).toEqual({
      status: 200,
      json: { domain: 'api.example.com', subject: '', issuer: '' },
    })
  })

  it('accepts a client certificate the truststore verifies and passes its fields on', async () => {
    const ok = await get('secure.example.com', 'client')
    expect(ok.status).toBe(200)
    expect(ok.json).toEqual({
      domain: 'secure.example.com',
      subject: 'CN=alice,O=Example',
      issuer: 'CN=Tollgate Test Client CA',
    })
  })

  it("answers what Node's parser refuses with a JSON body over TLS too", async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(
        { host: '127.0.0.1', port: tlsPort, servername: 'api.example.com', ca: readFileSync(file('ca.pem')) },
        () => socket.write('THIS IS NOT HTTP\r\n\r\n'),
      )
      let received = ''
      socket.setEncoding('latin1')
      socket.on('data', (chunk: string) => (received += chunk))
      socket.on('error', reject)
      socket.on('close', () => resolve(received))
    })
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/)
    expect(answer).toContain('\r\nConnection: close\r\n')
    expect(answer.endsWith('\r\n\r\n{"message":"Bad Request"}')).toBe(true)
  })

  it('refuses clients without a certificate, or with one it does not trust, with 403', async () => {
    expect(await get('secure.example.com')).toEqual({ status: 403, json: { message: 'Forbidden' } })
    expect(await get('secure.example.com', 'rogue')).toEqual({ status: 403, json: { message: 'Forbidden' } })
  })
})
