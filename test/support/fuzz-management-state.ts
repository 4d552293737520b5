import Database from 'better-sqlite3'
import { zipOf } from './lambda.js'
import { managementCall as call, putValidatorAndModel } from './fuzz.js'
import type { RestApiDocument, StageRecord } from '../../src/model/index.js'

/** Every record of the store, by `kind|scope|id`, as stored (JSON text). */
export type StoreDump = ReadonlyMap<string, string>

/**
 * Snapshots of a gateway's SQLite store through a second, read-only connection (WAL lets it read
 * beside the gateway's own): the revision counter says whether anything committed, one query
 * dumps every record. The last dump is kept and refreshed only after a commit.
 */
export class StoreSnapshots {
  readonly #db: Database.Database
  readonly #revision
  readonly #records
  #last: StoreDump

  constructor(file: string) {
    this.#db = new Database(file, { readonly: true, fileMustExist: true })
    this.#revision = this.#db.prepare<[], { value: number }>("SELECT value FROM meta WHERE key = 'revision'")
    this.#records = this.#db.prepare<[], { kind: string; scope: string; id: string; body: string }>(
      'SELECT kind, scope, id, body FROM records',
    )
    this.#last = this.#dump()
  }

  revision(): number {
    return this.#revision.get()?.value ?? 0
  }

  /** The last dump taken. */
  current(): StoreDump {
    return this.#last
  }

  refresh(): void {
    this.#last = this.#dump()
  }

  /** The keys whose record was added, removed or changed since the last dump. */
  changedSince(): string[] {
    const now = this.#dump()
    const changed = [...now].filter(([key, body]) => this.#last.get(key) !== body).map(([key]) => key)
    const removed = [...this.#last.keys()].filter((key) => !now.has(key))
    return [...changed, ...removed]
  }

  close(): void {
    this.#db.close()
  }

  #dump(): StoreDump {
    return new Map(this.#records.all().map((row) => [`${row.kind}|${row.scope}|${row.id}`, row.body]))
  }
}

interface ApiState {
  id: string
  doc: RestApiDocument
  deployments: string[]
  stages: string[]
}

/** The ids a generated request may aim at, read from the store as it is now. */
export interface FuzzState {
  apis: ApiState[]
  apiKeys: string[]
  plans: { id: string; keys: string[] }[]
  domains: { name: string; basePaths: string[] }[]
  vpcLinks: string[]
  clientCertificates: string[]
  functions: { name: string; aliases: string[] }[]
}

export function harvest(dump: StoreDump): FuzzState {
  const state: FuzzState = {
    apis: [],
    apiKeys: [],
    plans: [],
    domains: [],
    vpcLinks: [],
    clientCertificates: [],
    functions: [],
  }
  const byScope = (kind: string, scope: string): string[] => {
    const prefix = `${kind}|${scope}|`
    return [...dump.keys()].filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length))
  }
  for (const [key, body] of dump) {
    const [kind, scope, id = ''] = key.split('|')
    if (scope !== '') continue
    switch (kind) {
      case 'restapi':
        state.apis.push({
          id,
          doc: JSON.parse(body) as RestApiDocument,
          deployments: byScope('deployment', id),
          stages: byScope('stage', id),
        })
        break
      case 'apikey':
        state.apiKeys.push(id)
        break
      case 'usageplan':
        state.plans.push({ id, keys: byScope('usageplankey', id) })
        break
      case 'domainname':
        state.domains.push({ name: id, basePaths: byScope('basepathmapping', id) })
        break
      case 'vpclink':
        state.vpcLinks.push(id)
        break
      case 'clientcertificate':
        state.clientCertificates.push(id)
        break
      case 'function':
        state.functions.push({ name: id, aliases: byScope('function-alias', id) })
        break
      default:
        break
    }
  }
  return state
}

/**
 * What must hold of any configuration the management API accepted: one root per API, every
 * resource's parent present, resource paths unique, no records of a deleted API or plan or
 * domain left behind, stages on existing deployments, plan keys naming existing keys.
 */
export function checkConsistency(dump: StoreDump): string[] {
  const problems: string[] = []
  const records = [...dump].map(([key, body]) => {
    const [kind = '', scope = '', id = ''] = key.split('|')
    return { kind, scope, id, body }
  })
  const has = (kind: string, scope: string, id: string): boolean => dump.has(`${kind}|${scope}|${id}`)
  for (const record of records) {
    switch (record.kind) {
      case 'restapi':
        problems.push(...checkResourceTree(JSON.parse(record.body) as RestApiDocument))
        break
      case 'deployment':
        if (!has('restapi', '', record.scope)) problems.push(`deployment ${record.id} of a deleted API`)
        break
      case 'stage': {
        if (!has('restapi', '', record.scope)) problems.push(`stage ${record.id} of a deleted API`)
        const stage = JSON.parse(record.body) as StageRecord
        if (!has('deployment', record.scope, stage.deploymentId ?? '')) {
          problems.push(`stage ${record.id} on a missing deployment ${stage.deploymentId}`)
        }
        break
      }
      case 'usageplankey':
        if (!has('usageplan', '', record.scope)) problems.push(`key ${record.id} of a deleted usage plan`)
        if (!has('apikey', '', record.id)) problems.push(`usage plan key of a deleted API key ${record.id}`)
        break
      case 'basepathmapping':
        if (!has('domainname', '', record.scope)) problems.push(`base path mapping of a deleted domain name`)
        break
      default:
        break
    }
  }
  return problems
}

function checkResourceTree(doc: RestApiDocument): string[] {
  const problems: string[] = []
  const resources = Object.values(doc.resources)
  const roots = resources.filter((r) => r.parentId === undefined)
  if (roots.length !== 1) problems.push(`API ${doc.api.id} has ${roots.length} root resources`)
  const paths = new Map<string, string>()
  for (const resource of resources) {
    if (resource.parentId !== undefined && !doc.resources[resource.parentId]) {
      problems.push(`resource ${resource.id} of API ${doc.api.id} has a missing parent`)
      continue
    }
    const path = resourcePath(doc, resource.id)
    if (path === undefined) problems.push(`resource ${resource.id} of API ${doc.api.id} is in a cycle`)
    else if (paths.has(path)) problems.push(`two resources of API ${doc.api.id} at ${path}`)
    else paths.set(path, resource.id)
  }
  return problems
}

function resourcePath(doc: RestApiDocument, id: string): string | undefined {
  const parts: string[] = []
  const seen = new Set<string>()
  let current = doc.resources[id]
  while (current?.parentId !== undefined) {
    if (seen.has(current.id)) return undefined
    seen.add(current.id)
    parts.unshift(current.pathPart ?? '')
    current = doc.resources[current.parentId]
  }
  return `/${parts.join('/')}`
}

/**
 * One of everything the management API manages, so generated requests find real targets: an API
 * with a resource tree, methods, responses, integrations, a model, a validator, an authorizer,
 * documentation, a gateway response, a deployment and stage; a key, a plan with the key, a
 * domain name with a base path mapping, a VPC link; the first one also a client certificate and a
 * Lambda function.
 */
export async function buildFixture(url: string, suffix: string, isFirst: boolean): Promise<void> {
  const api = await call(url, 'POST', '/restapis', { name: 'fuzz', description: 'fixture' })
  const apiId = String(api['id'])
  const root = String(api['rootResourceId'])
  const a = `/restapis/${apiId}`
  const pets = String((await call(url, 'POST', `${a}/resources/${root}`, { pathPart: 'pets' }))['id'])
  const pet = String((await call(url, 'POST', `${a}/resources/${pets}`, { pathPart: '{id}' }))['id'])
  await call(url, 'POST', `${a}/resources/${pet}`, { pathPart: '{proxy+}' })
  const validatorId = await putValidatorAndModel(url, a, {
    type: 'object',
    properties: { name: { type: 'string' } },
  })
  const authorizer = await call(url, 'POST', `${a}/authorizers`, {
    name: 'token',
    type: 'TOKEN',
    identitySource: 'method.request.header.Authorization',
    authorizerUri:
      'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:auth/invocations',
  })
  for (const [resource, method] of [
    [pets, 'GET'],
    [pets, 'POST'],
    [pet, 'GET'],
  ] as const) {
    const m = `${a}/resources/${resource}/methods/${method}`
    await call(url, 'PUT', m, {
      authorizationType: method === 'POST' ? 'CUSTOM' : 'NONE',
      ...(method === 'POST'
        ? {
            authorizerId: authorizer['id'],
            requestValidatorId: validatorId,
            requestModels: { 'application/json': 'Pet' },
          }
        : {}),
      requestParameters: { 'method.request.querystring.q': false },
    })
    await call(url, 'PUT', `${m}/responses/200`, { responseModels: { 'application/json': 'Empty' } })
    await call(url, 'PUT', `${m}/integration`, {
      type: 'MOCK',
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
    })
    await call(url, 'PUT', `${m}/integration/responses/200`, {
      selectionPattern: '',
      responseTemplates: { 'application/json': '{"ok": true}' },
    })
  }
  await call(url, 'PUT', `${a}/gatewayresponses/DEFAULT_4XX`, {
    responseTemplates: { 'application/json': '{"m": $context.error.messageString}' },
  })
  await call(url, 'POST', `${a}/documentation/parts`, { location: { type: 'API' }, properties: '{"a":1}' })
  await call(url, 'POST', `${a}/deployments`, { stageName: 'prod' })
  await call(url, 'POST', `${a}/documentation/versions`, { documentationVersion: 'v1', stageName: 'prod' })
  const key = await call(url, 'POST', '/apikeys', { name: 'k', enabled: true })
  const plan = await call(url, 'POST', '/usageplans', {
    name: 'p',
    apiStages: [{ apiId, stage: 'prod' }],
    throttle: { burstLimit: 10, rateLimit: 5 },
  })
  await call(url, 'POST', `/usageplans/${String(plan['id'])}/keys`, { keyId: key['id'], keyType: 'API_KEY' })
  const domainName = `api${suffix}.fuzz.test`
  await call(url, 'POST', '/domainnames', { domainName })
  await call(url, 'POST', `/domainnames/${domainName}/basepathmappings`, {
    restApiId: apiId,
    stage: 'prod',
    basePath: 'v1',
  })
  await call(url, 'POST', '/vpclinks', { name: 'l', targetArns: ['arn:aws:elasticloadbalancing:nlb'] })
  // An RSA key generation and a function's cold start: once per gateway.
  if (!isFirst) return
  await call(url, 'POST', '/clientcertificates', { description: 'c' })
  await call(url, 'POST', '/2015-03-31/functions', {
    FunctionName: `fn${suffix}`,
    Runtime: 'nodejs20.x',
    Role: 'arn:aws:iam::000000000000:role/lambda-role',
    Handler: 'index.handler',
    Code: { ZipFile: Buffer.from(zipOf({ 'index.js': ECHO_FUNCTION })).toString('base64') },
    Timeout: 3,
  })
}

const ECHO_FUNCTION = 'exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event) })'
