import { readFileSync } from 'node:fs'
import type { IncomingMessage, RequestListener } from 'node:http'
import { createServer, type Server } from 'node:https'
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls'
import type { Logger } from 'pino'
import type { DomainCertificate, TollgateConfig } from '../config/config.js'
import type { DomainRegistry } from './domains.js'
import type { ClientCert } from './http.js'
import { MAX_HEAD_BYTES } from './request-line.js'

/** The certificate entry for a server name (exact, or a `*.` wildcard one label deep). */
function certificateFor(
  certificates: readonly DomainCertificate[],
  servername: string,
): DomainCertificate | undefined {
  const name = servername.toLowerCase()
  const wildcard = `*.${name.split('.').slice(1).join('.')}`
  return certificates.find((c) => c.domain === name) ?? certificates.find((c) => c.domain === wildcard)
}

/**
 * The HTTPS listener of custom domain names: the certificate is chosen by SNI from the configured
 * PEM files; the domain's `securityPolicy` sets the lowest TLS version (TLS_1_0 or TLS_1_2); a
 * domain with a truststore asks for client certificates (mutual TLS, checked per request).
 */
export function createTlsListener(
  config: TollgateConfig,
  domains: DomainRegistry,
  handler: RequestListener,
  log: Logger,
): Server {
  const files = new Map(
    config.domainCertificates.map((c) => [
      c.domain,
      {
        cert: readFileSync(c.cert),
        key: readFileSync(c.key),
        ...(c.truststore ? { ca: readFileSync(c.truststore) } : {}),
      },
    ]),
  )
  const contexts = new Map<string, SecureContext>()
  return createServer(
    {
      maxHeaderSize: MAX_HEAD_BYTES,
      // Client certificates are requested everywhere and judged per domain (a truststore or none).
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1',
      SNICallback: (servername, callback) => {
        const entry = certificateFor(config.domainCertificates, servername)
        const pem = entry ? files.get(entry.domain) : undefined
        if (!entry || !pem) {
          callback(new Error(`no certificate for ${servername}`))
          return
        }
        domains.domain(servername).then(
          (domain) => {
            const policy = domain?.securityPolicy ?? 'TLS_1_2'
            const key = `${entry.domain}|${policy}`
            let context = contexts.get(key)
            if (!context) {
              context = createSecureContext({
                ...pem,
                minVersion: policy === 'TLS_1_0' ? 'TLSv1' : 'TLSv1.2',
              })
              contexts.set(key, context)
            }
            callback(null, context)
          },
          (error: unknown) => {
            log.error({ err: error }, 'TLS context lookup failed')
            callback(error instanceof Error ? error : new Error(String(error)))
          },
        )
      },
    },
    handler,
  )
}

/** A certificate's name in the `CN=...,O=...` form. */
const dn = (text: string): string => text.split('\n').filter(Boolean).join(',')

/**
 * For a request on the HTTPS listener: `refused` when its domain has a truststore and the client
 * presented no certificate it verifies (AWS answers 403 Forbidden); the certificate's fields when
 * it did; undefined when the domain does not use mutual TLS.
 */
export function clientCertOf(
  req: IncomingMessage,
  certificates: readonly DomainCertificate[],
): ClientCert | 'refused' | undefined {
  const socket = req.socket
  if (!(socket instanceof TLSSocket)) return undefined
  const servername = typeof socket.servername === 'string' ? socket.servername : ''
  if (!certificateFor(certificates, servername)?.truststore) return undefined
  const peer = socket.getPeerX509Certificate()
  if (!socket.authorized || !peer) return 'refused'
  return {
    clientCertPem: peer.toString(),
    subjectDN: dn(peer.subject),
    issuerDN: dn(peer.issuer),
    serialNumber: peer.serialNumber,
    validity: { notBefore: peer.validFrom, notAfter: peer.validTo },
  }
}
