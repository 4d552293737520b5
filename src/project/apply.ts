import { readFileSync } from 'node:fs'
import type { Project } from './project-file.js'

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
  const result: ApplyResult = { urls: {}, apiIds: {} }
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
      patchOperations: [{ op: 'replace', path: '/name', value: name }],
    })
    result.apiIds[name] = apiId
    result.urls[name] = {}
    for (const [stageName, stage] of Object.entries(api.stages)) {
      await call(base, 'POST', `/restapis/${apiId}/deployments`, {
        stageName,
        ...(stage.description ? { stageDescription: stage.description } : {}),
        ...(stage.variables ? { variables: stage.variables } : {}),
      })
      result.urls[name][stageName] = `${base}/_aws/execute-api/${apiId}/${stageName}/`
    }
  }
  return result
}
