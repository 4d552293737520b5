import type { BasePathMapping, DomainName } from '../model/index.js'
import { StoreView, type ConfigReader, type ConfigStore } from '../store/index.js'
import { safeDecode, type ExecuteApiAddress } from './address.js'

interface Snapshot {
  domains: Map<string, { domain: DomainName; mappings: BasePathMapping[] }>
}

/**
 * Custom domain names as the data plane needs them: a Host and a path resolve to an API, a stage
 * and the path inside it, through the domain's base path mappings (the longest matching base path
 * wins; `(none)` matches everything; a mapping without a stage takes the stage from the next path
 * segment). Reloaded after every committed change.
 */
export class DomainRegistry {
  readonly #view: StoreView<Snapshot>

  constructor(store: ConfigStore) {
    this.#view = new StoreView(store, load)
  }

  async resolve(host: string | undefined, rawUrl: string): Promise<ExecuteApiAddress | undefined> {
    if (!host) return undefined
    const name = host.replace(/:\d+$/, '').toLowerCase()
    const snapshot = await this.#view.get()
    const entry =
      snapshot.domains.get(name) ?? snapshot.domains.get(`*.${name.split('.').slice(1).join('.')}`)
    if (!entry) return undefined
    const q = rawUrl.indexOf('?')
    const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q)
    const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1)
    const segments = rawPath.split('/').filter(Boolean)
    let best: { mapping: BasePathMapping; depth: number } | undefined
    for (const mapping of entry.mappings) {
      const base = mapping.basePath === '(none)' ? [] : mapping.basePath.split('/')
      const matches = base.every((part, i) => safeDecode(segments[i] ?? '') === part)
      if (matches && (!best || base.length > best.depth)) best = { mapping, depth: base.length }
    }
    if (!best) return undefined
    let rest = segments.slice(best.depth)
    let stage = best.mapping.stage
    if (stage === undefined) {
      stage = rest[0] !== undefined ? safeDecode(rest[0]) : undefined
      rest = rest.slice(1)
      if (stage === undefined) return undefined
    }
    const trailing = rawPath.endsWith('/') && rest.length > 0 ? '/' : ''
    const path = rest.length === 0 ? '/' : `/${rest.join('/')}${trailing}`
    return {
      apiId: best.mapping.restApiId,
      stageName: stage,
      path,
      stagePath: `/${stage}${path === '/' ? '' : path}`,
      rawQuery,
      domainName: name,
    }
  }

  /** A domain's record (its securityPolicy picks the HTTPS listener's TLS versions). */
  async domain(host: string): Promise<DomainName | undefined> {
    const name = host.toLowerCase()
    const snapshot = await this.#view.get()
    return (snapshot.domains.get(name) ?? snapshot.domains.get(`*.${name.split('.').slice(1).join('.')}`))
      ?.domain
  }

  close(): void {
    this.#view.close()
  }
}

/** Every domain with its mappings. */
async function load(r: ConfigReader): Promise<Snapshot> {
  const domains = new Map<string, { domain: DomainName; mappings: BasePathMapping[] }>()
  for (const domain of await r.list('domainname', ''))
    domains.set(domain.domainName, { domain, mappings: await r.list('basepathmapping', domain.domainName) })
  return { domains }
}
