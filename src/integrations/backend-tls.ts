import type { Agent, Dispatcher } from 'undici'
import type { ClientCertificateRecord } from '../model/index.js'
import { StoreView, type ConfigReader, type ConfigStore } from '../store/index.js'

/**
 * TLS towards HTTP backends: a stage's `clientCertificateId` makes the gateway present that client
 * certificate (AWS docs "getting-started-client-side-ssl-authentication"), and an integration's
 * `tlsConfig.insecureSkipVerification` accepts a backend certificate no public CA signed. Each
 * combination has a keep-alive pool of its own; plain requests use the shared one (one per process
 * for every HTTP, HTTP_PROXY and AWS integration).
 */
export class BackendTls {
  readonly #certificates: StoreView<Map<string, ClientCertificateRecord>>
  readonly #agents = new Map<string, Agent>()
  #shared: Agent | undefined
  /** The certificates the agents were last checked against (a new view means the store changed). */
  #checked: Map<string, ClientCertificateRecord> | undefined

  constructor(store: ConfigStore) {
    this.#certificates = new StoreView(
      store,
      async (r: ConfigReader) =>
        new Map((await r.list('clientcertificate', '')).map((c) => [c.clientCertificateId, c])),
    )
  }

  /**
   * The pool for a request: the shared one when neither setting applies (without a turn of the
   * microtask queue once it exists).
   */
  dispatcher(
    clientCertificateId?: string,
    insecureSkipVerification = false,
  ): Dispatcher | Promise<Dispatcher> {
    if (!clientCertificateId && !insecureSkipVerification && this.#shared) return this.#shared
    return this.#dispatcher(clientCertificateId, insecureSkipVerification)
  }

  async #dispatcher(clientCertificateId?: string, insecureSkipVerification = false): Promise<Dispatcher> {
    const { Agent } = await undici()
    if (!clientCertificateId && !insecureSkipVerification)
      return (this.#shared ??= new Agent({ keepAliveTimeout: 30_000, connections: 256 }))
    let certificate: ClientCertificateRecord | undefined
    if (clientCertificateId) {
      const certificates = await this.#certificates.get()
      if (certificates !== this.#checked) this.#closeDeleted(certificates)
      certificate = certificates.get(clientCertificateId)
    }
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

  /** How many pools of their own (certificate or verification settings) are open; for tests. */
  get pools(): number {
    return this.#agents.size
  }

  /**
   * Closes the pools of certificates deleted since the last check (their connections finish what
   * they carry first): a gateway whose certificates are rotated must not keep a pool per old one.
   */
  #closeDeleted(certificates: Map<string, ClientCertificateRecord>): void {
    this.#checked = certificates
    for (const [key, agent] of this.#agents) {
      const id = key.slice(0, key.indexOf('|'))
      if (id && !certificates.has(id)) {
        this.#agents.delete(key)
        void agent.close()
      }
    }
  }

  async close(): Promise<void> {
    this.#certificates.close()
    const agents = [...this.#agents.values(), ...(this.#shared ? [this.#shared] : [])]
    await Promise.all(agents.map((a) => a.close()))
  }
}

let loading: Promise<typeof import('undici')> | undefined
let loaded: typeof import('undici') | undefined

/**
 * undici, loaded by the first request to a backend: it is the largest module of a start (~50 ms of
 * CPU on the bench machine, docs/performance.md) and a gateway serving only MOCK and Lambda
 * integrations never needs it.
 */
export function undici(): Promise<typeof import('undici')> {
  return (loading ??= import('undici').then((module) => (loaded = module)))
}

/** undici once `undici()` has loaded it, else undefined. */
export const loadedUndici = (): typeof import('undici') | undefined => loaded
