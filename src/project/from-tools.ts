import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parse, type ScalarTag } from 'yaml'
import type { Project, ProjectApi, ProjectFunction } from './project-file.js'
import { ProjectFileError } from './project-file.js'

/** CloudFormation's short-form intrinsics, read as their long forms so SAM templates parse. */
const INTRINSICS: ScalarTag[] = [
  'Ref',
  'Sub',
  'GetAtt',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'If',
  'Equals',
  'FindInMap',
  'Base64',
].map((name) => ({
  tag: `!${name}`,
  resolve: (value: string) => (name === 'Ref' ? { Ref: value } : { [`Fn::${name}`]: value }),
}))

type Json = Record<string, unknown>
const obj = (value: unknown): Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {}
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)

const lambdaUri = (name: string): string =>
  `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:${name}/invocations`

function addRoute(definition: Json, path: string, method: string, functionName: string): void {
  const paths = obj(definition['paths'])
  const verb = method.toLowerCase() === 'any' ? 'x-amazon-apigateway-any-method' : method.toLowerCase()
  const normalised = `/${path.replace(/^\/+/, '')}`
  paths[normalised] = {
    ...obj(paths[normalised]),
    [verb]: {
      'x-amazon-apigateway-integration': {
        type: 'aws_proxy',
        httpMethod: 'POST',
        uri: lambdaUri(functionName),
      },
    },
  }
  definition['paths'] = paths
}

const openapi = (title: string): Json => ({ openapi: '3.0.1', info: { title, version: '1' }, paths: {} })

/**
 * A SAM template as a project (AWS SAM spec): `AWS::Serverless::Function` (CodeUri, Handler,
 * Runtime, Timeout, MemorySize, Environment, Globals) with `Api` events, the implicit API
 * (`ServerlessRestApi`, stage `Prod`) and `AWS::Serverless::Api` (StageName, DefinitionBody).
 */
export function projectFromSam(file: string): Project {
  const template = obj(parse(readFileSync(file, 'utf8'), { customTags: INTRINSICS }))
  const base = dirname(file)
  const globals = obj(obj(template['Globals'])['Function'])
  const resources = obj(template['Resources'])
  const functions: Record<string, ProjectFunction> = {}
  const apis: Record<string, ProjectApi & { openapiFile?: string }> = {}
  const definitions = new Map<string, Json>()
  const definitionOf = (apiId: string): Json => {
    let definition = definitions.get(apiId)
    if (!definition) {
      definition = openapi(apiId)
      definitions.set(apiId, definition)
    }
    return definition
  }
  for (const [logicalId, resource] of Object.entries(resources)) {
    const properties = obj(obj(resource)['Properties'])
    if (obj(resource)['Type'] === 'AWS::Serverless::Api') {
      const body = properties['DefinitionBody']
      if (body) definitions.set(logicalId, structuredClone(obj(body)))
      apis[logicalId] = { stages: { [str(properties['StageName']) ?? 'Prod']: {} } }
    }
  }
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (obj(resource)['Type'] !== 'AWS::Serverless::Function') continue
    const properties = { ...globals, ...obj(obj(resource)['Properties']) }
    const variables = {
      ...obj(obj(globals['Environment'])['Variables']),
      ...obj(obj(properties['Environment'])['Variables']),
    }
    functions[logicalId] = {
      runtime: str(properties['Runtime']) ?? 'nodejs20.x',
      handler: str(properties['Handler']) ?? 'index.handler',
      code: resolve(base, str(properties['CodeUri']) ?? '.'),
      environment: Object.fromEntries(
        Object.entries(variables).filter(([, v]) => typeof v === 'string'),
      ) as Record<string, string>,
      ...(typeof properties['Timeout'] === 'number' ? { timeout: properties['Timeout'] } : {}),
      ...(typeof properties['MemorySize'] === 'number' ? { memorySize: properties['MemorySize'] } : {}),
    }
    for (const event of Object.values(obj(properties['Events']))) {
      if (obj(event)['Type'] !== 'Api') continue
      const eventProps = obj(obj(event)['Properties'])
      const apiRef = str(obj(eventProps['RestApiId'])['Ref']) ?? 'ServerlessRestApi'
      apis[apiRef] ??= { stages: { Prod: {} } }
      addRoute(
        definitionOf(apiRef),
        str(eventProps['Path']) ?? '/',
        str(eventProps['Method']) ?? 'any',
        logicalId,
      )
    }
  }
  for (const [name, api] of Object.entries(apis)) {
    const definition = definitions.get(name) ?? openapi(name)
    apis[name] = { ...api, definition }
  }
  return { file, functions, apis }
}

/**
 * A Serverless Framework service as a project: `functions` with `http` events (object or
 * "METHOD path" string form), `provider` runtime / stage / environment; the service folder is
 * each function's code, as the framework packages it.
 */
export function projectFromServerless(file: string): Project {
  const service = obj(parse(readFileSync(file, 'utf8')))
  const provider = obj(service['provider'])
  const name = str(service['service']) ?? 'service'
  const stage = str(provider['stage']) ?? 'dev'
  const definition = openapi(name)
  const functions: Record<string, ProjectFunction> = {}
  for (const [functionKey, raw] of Object.entries(obj(service['functions']))) {
    const fn = obj(raw)
    const functionName = `${name}-${stage}-${functionKey}`
    functions[functionName] = {
      runtime: str(fn['runtime']) ?? str(provider['runtime']) ?? 'nodejs20.x',
      handler: str(fn['handler']) ?? 'handler.handler',
      code: dirname(file),
      environment: {
        ...(obj(provider['environment']) as Record<string, string>),
        ...(obj(fn['environment']) as Record<string, string>),
      },
      ...(typeof fn['timeout'] === 'number' ? { timeout: fn['timeout'] } : {}),
      ...(typeof fn['memorySize'] === 'number' ? { memorySize: fn['memorySize'] } : {}),
    }
    for (const event of Array.isArray(fn['events']) ? fn['events'] : []) {
      const http = obj(event)['http']
      if (typeof http === 'string') {
        const [method = 'any', path = '/'] = http.trim().split(/\s+/)
        addRoute(definition, path, method, functionName)
      } else if (http) {
        addRoute(definition, str(obj(http)['path']) ?? '/', str(obj(http)['method']) ?? 'any', functionName)
      }
    }
  }
  return { file, functions, apis: { [`${stage}-${name}`]: { definition, stages: { [stage]: {} } } } }
}

/** A SAM template or a serverless.yml, told apart by their content. */
export function projectFromTool(file: string): Project {
  const path = resolve(file)
  const text = readFileSync(path, 'utf8')
  if (/Transform:\s*['"]?AWS::Serverless/.test(text)) return projectFromSam(path)
  if (/^service:/m.test(text) && /^provider:/m.test(text)) return projectFromServerless(path)
  throw new ProjectFileError(
    `${path}: neither a SAM template (Transform: AWS::Serverless-2016-10-31) nor a serverless.yml`,
  )
}
