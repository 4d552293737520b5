import { Agent, type Dispatcher } from 'undici'
import type { ClientCertificateRecord } from '../model/index.js'
import { StoreView, type ConfigReader, type ConfigStore } from '../store/index.js'

/**
 * TLS towards HTTP backends: a stage's `clientCertificateId` makes the gateway present that client
 * certificate (AWS docs "getting-started-client-side-ssl-authentication"), and an integration's
 * `tlsConfig.insecureSkipVerification` accepts a backend certificate no public CA signed. Each
 * combination has a keep-alive pool of its own; plain requests use the shared one.
 */
export class BackendTls {
  readonly #certificates: StoreView<Map<string, ClientCertificateRecord>>
  readonly #agents = new Map<string, Agent>()

  constructor(store: ConfigStore) {
    this.#certificates = new StoreView(
      store,
      async (r: ConfigReader) =>
        new Map((await r.list('clientcertificate', '')).map((c) => [c.clientCertificateId, c])),
    )
  }

  /** The pool for a request, or `fallback` when neither setting applies. */
  async dispatcher(
    clientCertificateId: string | undefined,
    insecureSkipVerification: boolean,
    fallback: Dispatcher,
  ): Promise<Dispatcher> {
    if (!clientCertificateId && !insecureSkipVerification) return fallback
    const certificate = clientCertificateId
      ? (await this.#certificates.get()).get(clientCertificateId)
      : undefined
    const key = `${certificate?.clientCertificateId ?? ''}|${String(insecureSkipVerification)}`
    let agent = this.#agents.get(key)
    if (!agent) {
      agent = new Agent({
        keepAliveTimeout: 30_000,
        connect: {
          ...(certificate ? { cert: certificate.pemEncodedCertificate, key: certificate.privateKeyPem } : {}),
          ...(insecureSkipVerification ? { rejectUnauthorized: false } : {}),
        },
      })
      this.#agents.set(key, agent)
    }
    return agent
  }

  async close(): Promise<void> {
    this.#certificates.close()
    await Promise.all([...this.#agents.values()].map((a) => a.close()))
  }
}
