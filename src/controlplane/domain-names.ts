import { createHash } from 'node:crypto'
import type { BasePathMapping, DomainName } from '../model/index.js'
import { badRequest, conflict, notFound } from './api-error.js'
import { paginate } from './paging.js'
import { invalidPatchPath, readPatchOperations } from './patch.js'
import type { Route } from './router.js'

/** Texts are Tollgate's where AWS's are not recorded. */
const domainNotFound = (): Error => notFound('Invalid domain name identifier specified')
const mappingNotFound = (): Error => notFound('Invalid base path mapping identifier specified')
const NONE = '(none)'

/** A base path as stored: `(none)` for the empty one, no leading or trailing slash otherwise. */
const normaliseBasePath = (value: string | undefined): string => {
  const trimmed = (value ?? '').replace(/^\/+|\/+$/g, '')
  return trimmed === '' || trimmed === NONE ? NONE : trimmed
}

/** The regional name AWS gives a domain (`d-{id}.execute-api.{region}.amazonaws.com`), stable per name. */
const regionalName = (domain: string, region: string): string =>
  `d-${createHash('sha256').update(domain).digest('hex').slice(0, 10)}.execute-api.${region}.amazonaws.com`

/**
 * Custom domain names and base path mappings (AWS API reference: CreateDomainName,
 * CreateBasePathMapping, ...). Requests whose Host is a domain name are routed by base path to an
 * API and stage (`src/dataplane/domains.ts`); multi-level base paths (`v1/orders`) only on REGIONAL
 * domains with TLS_1_2, as on AWS.
 */
export const domainNameRoutes: Route[] = [
  {
    method: 'POST',
    path: '/domainnames',
    handler: async (req, { store, config }) => {
      const name = (req.body.string('domainName') ?? '').toLowerCase()
      if (!/^(\*\.)?([a-z0-9-]+\.)+[a-z0-9-]+$/.test(name)) throw badRequest('Invalid domain name specified')
      const requested = req.body.object('endpointConfiguration')?.stringList('types') ?? ['EDGE']
      const types = requested.filter((t): t is DomainName['endpointConfiguration']['types'][number] =>
        ['EDGE', 'REGIONAL', 'PRIVATE'].includes(t),
      )
      if (types.length !== 1) throw badRequest('Exactly one endpoint type must be specified')
      const securityPolicy = req.body.string('securityPolicy') ?? 'TLS_1_2'
      if (securityPolicy !== 'TLS_1_0' && securityPolicy !== 'TLS_1_2')
        throw badRequest(`Invalid security policy: ${securityPolicy}. Must be one of: [TLS_1_0, TLS_1_2]`)
      const optional = {
        certificateName: req.body.string('certificateName'),
        certificateArn: req.body.string('certificateArn'),
        regionalCertificateName: req.body.string('regionalCertificateName'),
        regionalCertificateArn: req.body.string('regionalCertificateArn'),
        tags: req.body.stringMap('tags'),
      }
      const domain: DomainName = {
        domainName: name,
        endpointConfiguration: { types },
        domainNameStatus: 'AVAILABLE',
        securityPolicy,
        ...(types[0] === 'EDGE'
          ? {
              distributionDomainName: `${regionalName(name, 'edge').slice(2, 14)}.cloudfront.net`,
              distributionHostedZoneId: 'Z2FDTNDATAQYW2',
            }
          : {
              regionalDomainName: regionalName(name, config.region),
              regionalHostedZoneId: 'Z1UJRXOUMOOFQ8',
            }),
      }
      for (const [key, value] of Object.entries(optional))
        if (value !== undefined) (domain as unknown as Record<string, unknown>)[key] = value
      await store.transaction(async (tx) => {
        if (await tx.get('domainname', '', name))
          throw conflict('The domain name you provided already exists.')
        await tx.put('domainname', '', name, domain)
      })
      return { status: 201, body: domain }
    },
  },
  {
    method: 'GET',
    path: '/domainnames',
    handler: async (req, { store }) => ({
      status: 200,
      body: paginate(await store.read((r) => r.list('domainname', '')), req.query),
    }),
  },
  {
    method: 'GET',
    path: '/domainnames/{domain_name}',
    handler: async (req, { store }) => {
      const domain = await store.read((r) =>
        r.get('domainname', '', (req.params['domain_name'] ?? '').toLowerCase()),
      )
      if (!domain) throw domainNotFound()
      return { status: 200, body: domain }
    },
  },
  {
    method: 'PATCH',
    path: '/domainnames/{domain_name}',
    handler: async (req, { store }) => {
      const operations = readPatchOperations(req.body, 'updateDomainNameInput')
      const domain = await store.transaction(async (tx) => {
        const name = (req.params['domain_name'] ?? '').toLowerCase()
        const current = await tx.get('domainname', '', name)
        if (!current) throw domainNotFound()
        for (const op of operations) {
          if (op.path === '/securityPolicy' && (op.value === 'TLS_1_0' || op.value === 'TLS_1_2'))
            current.securityPolicy = op.value
          else if (
            [
              '/certificateName',
              '/certificateArn',
              '/regionalCertificateName',
              '/regionalCertificateArn',
            ].includes(op.path)
          )
            (current as unknown as Record<string, unknown>)[op.path.slice(1)] = op.value
          else
            throw invalidPatchPath(op, [
              '/securityPolicy',
              '/certificateName',
              '/certificateArn',
              '/regionalCertificateName',
              '/regionalCertificateArn',
            ])
        }
        await tx.put('domainname', '', name, current)
        return current
      })
      return { status: 200, body: domain }
    },
  },
  {
    method: 'DELETE',
    path: '/domainnames/{domain_name}',
    handler: async (req, { store }) => {
      const name = (req.params['domain_name'] ?? '').toLowerCase()
      await store.transaction(async (tx) => {
        if (!(await tx.delete('domainname', '', name))) throw domainNotFound()
        for (const mapping of await tx.list('basepathmapping', name))
          await tx.delete('basepathmapping', name, mapping.basePath)
      })
      return { status: 202 }
    },
  },
  {
    method: 'POST',
    path: '/domainnames/{domain_name}/basepathmappings',
    handler: async (req, { store }) => {
      const name = (req.params['domain_name'] ?? '').toLowerCase()
      const basePath = normaliseBasePath(req.body.string('basePath'))
      const restApiId = req.body.string('restApiId') ?? ''
      const stage = req.body.string('stage')
      const mapping = await store.transaction(async (tx) => {
        const domain = await tx.get('domainname', '', name)
        if (!domain) throw domainNotFound()
        if (
          basePath.includes('/') &&
          !(domain.endpointConfiguration.types[0] === 'REGIONAL' && domain.securityPolicy === 'TLS_1_2')
        )
          throw badRequest(
            'Multi-level base path mappings are only supported for REGIONAL domain names with TLS 1.2',
          )
        if (!/^[A-Za-z0-9._~:@!$&'()*+,;=-]+(\/[A-Za-z0-9._~:@!$&'()*+,;=-]+)*$|^\(none\)$/.test(basePath))
          throw badRequest(`Invalid base path: ${basePath}`)
        if (!(await tx.get('restapi', '', restApiId)))
          throw badRequest('Invalid REST API identifier specified')
        if (stage !== undefined && !(await tx.get('stage', restApiId, stage)))
          throw badRequest('Invalid stage identifier specified')
        if (await tx.get('basepathmapping', name, basePath))
          throw conflict('Base path already exists for this domain name')
        const record: BasePathMapping = { basePath, restApiId, ...(stage !== undefined ? { stage } : {}) }
        await tx.put('basepathmapping', name, basePath, record)
        return record
      })
      return { status: 201, body: mapping }
    },
  },
  {
    method: 'GET',
    path: '/domainnames/{domain_name}/basepathmappings',
    handler: async (req, { store }) => {
      const name = (req.params['domain_name'] ?? '').toLowerCase()
      const mappings = await store.read(async (r) => {
        if (!(await r.get('domainname', '', name))) throw domainNotFound()
        return r.list('basepathmapping', name)
      })
      return { status: 200, body: paginate(mappings, req.query) }
    },
  },
  {
    method: 'GET',
    path: '/domainnames/{domain_name}/basepathmappings/{base_path}',
    handler: async (req, { store }) => {
      const mapping = await store.read((r) =>
        r.get(
          'basepathmapping',
          (req.params['domain_name'] ?? '').toLowerCase(),
          normaliseBasePath(req.params['base_path']),
        ),
      )
      if (!mapping) throw mappingNotFound()
      return { status: 200, body: mapping }
    },
  },
  {
    method: 'DELETE',
    path: '/domainnames/{domain_name}/basepathmappings/{base_path}',
    handler: async (req, { store }) => {
      const removed = await store.transaction((tx) =>
        tx.delete(
          'basepathmapping',
          (req.params['domain_name'] ?? '').toLowerCase(),
          normaliseBasePath(req.params['base_path']),
        ),
      )
      if (!removed) throw mappingNotFound()
      return { status: 202 }
    },
  },
]
