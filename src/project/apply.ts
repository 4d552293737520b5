import { readFileSync } from 'node:fs'
import type {
  Project,
  ProjectApi,
  ProjectAuthorizer,
  ProjectThrottle,
  ProjectUsagePlan,
} from './project-file.js'

interface PatchOp {
  op: 'replace' | 'add' | 'remove'
  path: string
  value?: string
}

/** `/pets/GET` → the resource path (`/pets`) escaped for a patch path (`~1pets`) and the method. */
function splitMethodKey(key: string): { escaped: string; method: string } {
  const cut = key.lastIndexOf('/')
  return {
    escaped: key.slice(0, cut).replaceAll('~', '~0').replaceAll('/', '~1'),
    method: key.slice(cut + 1),
  }
}

/** The stage patch for a stage's declared throttling (`*\/*` and per method). */
function stageThrottlingOps(
  throttling: ProjectThrottle | undefined,
  methods: Record<string, ProjectThrottle> | undefined,
): PatchOp[] {
  const ops: PatchOp[] = []
  const set = (prefix: string, t: ProjectThrottle): void => {
    ops.push({ op: 'replace', path: `${prefix}/throttling/rateLimit`, value: String(t.rateLimit) })
    ops.push({ op: 'replace', path: `${prefix}/throttling/burstLimit`, value: String(t.burstLimit) })
  }
  if (throttling) set('/*/*', throttling)
  for (const [key, t] of Object.entries(methods ?? {})) {
    const { escaped, method } = splitMethodKey(key)
    set(`/${escaped}/${method}`, t)
  }
  return ops
}

/** Talks to a gateway's management and Lambda APIs over HTTP (the same paths as the AWS SDKs). */
async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  raw?: Buffer,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(raw ? { body: raw } : body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  const json = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>)
  if (!response.ok && response.status !== 404) {
    const message = json['message'] ?? json['Message']
    throw new Error(`${method} ${path}: ${response.status} ${typeof message === 'string' ? message : text}`)
  }
  return { status: response.status, json }
}

export interface ApplyResult {
  /** Invoke URLs by API and stage. */
  urls: Record<string, Record<string, string>>
  apiIds: Record<string, string>
  /** API key values by name. */
  apiKeys: Record<string, string>
}

/**
 * Creates or updates everything a project declares, idempotently, then deploys: functions from
 * local folders (hot reload: edits are live without redeploying), APIs from OpenAPI (imported
 * the first time, overwritten after), one deployment per declared stage with its variables.
 */
export async function applyProject(base: string, project: Project): Promise<ApplyResult> {
  for (const [name, fn] of Object.entries(project.functions)) {
    const existing = await call(base, 'GET', `/2015-03-31/functions/${name}/configuration`)
    const settings = {
      Runtime: fn.runtime,
      Handler: fn.handler,
      ...(fn.timeout !== undefined ? { Timeout: fn.timeout } : {}),
      ...(fn.memorySize !== undefined ? { MemorySize: fn.memorySize } : {}),
      Environment: { Variables: fn.environment ?? {} },
    }
    if (existing.status === 404) {
      await call(base, 'POST', '/2015-03-31/functions', {
        FunctionName: name,
        Role: 'arn:aws:iam::000000000000:role/tollgate',
        Code: { S3Bucket: 'hot-reload', S3Key: fn.code },
        ...settings,
      })
    } else {
      await call(base, 'PUT', `/2015-03-31/functions/${name}/configuration`, settings)
    }
  }
  const apis = ((await call(base, 'GET', '/restapis?limit=500')).json['item'] ?? []) as {
    id: string
    name: string
  }[]
  const result: ApplyResult = { urls: {}, apiIds: {}, apiKeys: {} }
  for (const [name, api] of Object.entries(project.apis)) {
    const definition = api.openapiFile
      ? readFileSync(api.openapiFile)
      : Buffer.from(JSON.stringify(api.definition))
    // The project's API name wins over the document's title, so the project finds it again next time.
    let apiId = apis.find((a) => a.name === name)?.id
    if (apiId) {
      await call(base, 'PUT', `/restapis/${apiId}?mode=overwrite`, undefined, definition)
    } else {
      apiId = (await call(base, 'POST', '/restapis?mode=import', undefined, definition)).json['id'] as string
    }
    await call(base, 'PATCH', `/restapis/${apiId}`, {
      patchOperations: [
        { op: 'replace', path: '/name', value: name },
        ...(api.policy ? [{ op: 'replace', path: '/policy', value: JSON.stringify(api.policy) }] : []),
      ],
    })
    await applyAuthorization(base, apiId, api)
    result.apiIds[name] = apiId
    result.urls[name] = {}
    for (const [stageName, stage] of Object.entries(api.stages)) {
      await call(base, 'POST', `/restapis/${apiId}/deployments`, {
        stageName,
        ...(stage.description ? { stageDescription: stage.description } : {}),
        ...(stage.variables ? { variables: stage.variables } : {}),
      })
      result.urls[name][stageName] = `${base}/_aws/execute-api/${apiId}/${stageName}/`
      const ops = stageThrottlingOps(stage.throttling, stage.methodThrottling)
      if (ops.length > 0)
        await call(base, 'PATCH', `/restapis/${apiId}/stages/${stageName}`, { patchOperations: ops })
    }
  }
  const keyIds = await applyApiKeys(base, project, result)
  for (const [name, plan] of Object.entries(project.usagePlans ?? {}))
    await applyUsagePlan(base, name, plan, result.apiIds, keyIds)
  return result
}

/** Creates or updates the declared keys (found by name); returns their ids by name. */
async function applyApiKeys(
  base: string,
  project: Project,
  result: ApplyResult,
): Promise<Record<string, string>> {
  const ids: Record<string, string> = {}
  if (Object.keys(project.apiKeys ?? {}).length === 0) return ids
  const existing = ((await call(base, 'GET', '/apikeys?limit=500&includeValues=true')).json['item'] ??
    []) as { id: string; name?: string; value: string }[]
  for (const [name, key] of Object.entries(project.apiKeys ?? {})) {
    let found = existing.find((k) => k.name === name)
    // A key's value cannot change (AWS has no such update): a new declared value replaces the key.
    if (found && key.value !== undefined && found.value !== key.value) {
      await call(base, 'DELETE', `/apikeys/${found.id}`)
      found = undefined
    }
    if (found) {
      await call(base, 'PATCH', `/apikeys/${found.id}`, {
        patchOperations: [
          { op: 'replace', path: '/enabled', value: String(key.enabled) },
          { op: 'replace', path: '/description', value: key.description ?? '' },
        ],
      })
    } else {
      const created = await call(base, 'POST', '/apikeys', {
        name,
        enabled: key.enabled,
        ...(key.value !== undefined ? { value: key.value } : {}),
        ...(key.description !== undefined ? { description: key.description } : {}),
      })
      found = { id: created.json['id'] as string, name, value: created.json['value'] as string }
    }
    ids[name] = found.id
    result.apiKeys[name] = found.value
  }
  return ids
}

/**
 * Creates a declared plan or brings an existing one (found by name) in line, keeping its id so its
 * usage counts carry on; its keys become exactly the declared ones.
 */
async function applyUsagePlan(
  base: string,
  name: string,
  plan: ProjectUsagePlan,
  apiIds: Record<string, string>,
  keyIds: Record<string, string>,
): Promise<void> {
  const stages = plan.apis.map((target) => ({ ...target, apiId: apiIds[target.api] ?? '' }))
  const plans = ((await call(base, 'GET', '/usageplans?limit=500')).json['item'] ?? []) as {
    id: string
    name: string
    apiStages?: { apiId: string; stage: string }[]
    throttle?: object
    quota?: object
  }[]
  const current = plans.find((p) => p.name === name)
  let planId: string
  if (!current) {
    planId = (
      await call(base, 'POST', '/usageplans', {
        name,
        ...(plan.description !== undefined ? { description: plan.description } : {}),
        ...(plan.throttle ? { throttle: plan.throttle } : {}),
        ...(plan.quota ? { quota: plan.quota } : {}),
        apiStages: stages.map((s) => ({
          apiId: s.apiId,
          stage: s.stage,
          ...(s.methodThrottling ? { throttle: s.methodThrottling } : {}),
        })),
      })
    ).json['id'] as string
  } else {
    planId = current.id
    const ops: PatchOp[] = [{ op: 'replace', path: '/description', value: plan.description ?? '' }]
    if (plan.throttle) {
      for (const [k, v] of Object.entries(plan.throttle))
        ops.push({ op: 'replace', path: `/throttle/${k}`, value: String(v) })
    } else if (current.throttle) ops.push({ op: 'remove', path: '/throttle' })
    if (plan.quota) {
      for (const [k, v] of Object.entries(plan.quota))
        ops.push({ op: 'replace', path: `/quota/${k}`, value: String(v) })
    } else if (current.quota) ops.push({ op: 'remove', path: '/quota' })
    for (const s of current.apiStages ?? [])
      ops.push({ op: 'remove', path: '/apiStages', value: `${s.apiId}:${s.stage}` })
    for (const s of stages) {
      ops.push({ op: 'add', path: '/apiStages', value: `${s.apiId}:${s.stage}` })
      for (const [key, t] of Object.entries(s.methodThrottling ?? {})) {
        const { escaped, method } = splitMethodKey(key)
        for (const [k, v] of Object.entries(t))
          ops.push({
            op: 'replace',
            path: `/apiStages/${s.apiId}:${s.stage}/throttle/${escaped}/${method}/${k}`,
            value: String(v),
          })
      }
    }
    await call(base, 'PATCH', `/usageplans/${planId}`, { patchOperations: ops })
  }
  const members = ((await call(base, 'GET', `/usageplans/${planId}/keys?limit=500`)).json['item'] ?? []) as {
    id: string
  }[]
  const wanted = new Set(plan.keys.map((k) => keyIds[k] ?? ''))
  for (const member of members)
    if (!wanted.has(member.id)) await call(base, 'DELETE', `/usageplans/${planId}/keys/${member.id}`)
  for (const keyId of wanted)
    if (!members.some((m) => m.id === keyId))
      await call(base, 'POST', `/usageplans/${planId}/keys`, { keyId, keyType: 'API_KEY' })
}

/** A project function's invocation URI (Tollgate resolves functions by name). */
const functionUri = (name: string): string =>
  `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:${name}/invocations`

/** The authorizer as CreateAuthorizer takes it. */
function authorizerBody(name: string, a: ProjectAuthorizer): Record<string, unknown> {
  return {
    name,
    type: a.type,
    ...(a.function ? { authorizerUri: functionUri(a.function) } : {}),
    identitySource:
      a.identitySource ?? (a.type === 'REQUEST' ? undefined : 'method.request.header.Authorization'),
    ...(a.identityValidationExpression
      ? { identityValidationExpression: a.identityValidationExpression }
      : {}),
    ...(a.resultTtlInSeconds !== undefined ? { authorizerResultTtlInSeconds: a.resultTtlInSeconds } : {}),
    ...(a.providerARNs ? { providerARNs: a.providerARNs } : {}),
  }
}

/**
 * The API's declared authorizers (created, or replaced when they exist by name) and the
 * authorization of its declared methods, before its stages are deployed.
 */
async function applyAuthorization(base: string, apiId: string, api: ProjectApi): Promise<void> {
  const ids: Record<string, string> = {}
  const existing = ((await call(base, 'GET', `/restapis/${apiId}/authorizers?limit=500`)).json['item'] ??
    []) as { id: string; name: string }[]
  for (const [name, authorizer] of Object.entries(api.authorizers ?? {})) {
    const found = existing.find((a) => a.name === name)
    const body = authorizerBody(name, authorizer)
    if (found) {
      const ops = Object.entries(body)
        .filter(([key, value]) => key !== 'providerARNs' && value !== undefined)
        .map(([key, value]) => ({ op: 'replace', path: `/${key}`, value: String(value) }))
      await call(base, 'PATCH', `/restapis/${apiId}/authorizers/${found.id}`, { patchOperations: ops })
      ids[name] = found.id
    } else {
      ids[name] = (await call(base, 'POST', `/restapis/${apiId}/authorizers`, body)).json['id'] as string
    }
  }
  const methods = Object.entries(api.methods ?? {})
  if (methods.length === 0) return
  const resources = ((await call(base, 'GET', `/restapis/${apiId}/resources?limit=500`)).json['item'] ??
    []) as { id: string; path: string }[]
  for (const [key, auth] of methods) {
    const cut = key.lastIndexOf('/')
    const path = key.slice(0, cut) || '/'
    const httpMethod = key.slice(cut + 1)
    const resource = resources.find((r) => r.path === path)
    if (!resource) throw new Error(`methods.${key}: the API has no resource ${path}`)
    const ops =
      'authorizer' in auth
        ? [
            {
              op: 'replace',
              path: '/authorizationType',
              value:
                api.authorizers?.[auth.authorizer]?.type === 'COGNITO_USER_POOLS'
                  ? 'COGNITO_USER_POOLS'
                  : 'CUSTOM',
            },
            { op: 'replace', path: '/authorizerId', value: ids[auth.authorizer] ?? '' },
            ...(auth.scopes ?? []).map((scope) => ({
              op: 'add',
              path: '/authorizationScopes',
              value: scope,
            })),
          ]
        : [{ op: 'replace', path: '/authorizationType', value: auth.authorization }]
    await call(base, 'PATCH', `/restapis/${apiId}/resources/${resource.id}/methods/${httpMethod}`, {
      patchOperations: ops,
    })
  }
}
