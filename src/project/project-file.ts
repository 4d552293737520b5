import { readFileSync } from 'node:fs'
import { dirname, isAbsolute, resolve } from 'node:path'
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml'
import { z } from 'zod'

const functionSchema = z.object({
  runtime: z.string().default('nodejs20.x'),
  handler: z.string().default('index.handler'),
  /** A local folder: served in place and reloaded on change. */
  code: z.string(),
  environment: z.record(z.string(), z.string()).optional(),
  timeout: z.number().int().min(1).max(900).optional(),
  memorySize: z.number().int().min(128).max(10240).optional(),
})

const throttleSchema = z.object({
  rateLimit: z.number().min(0),
  burstLimit: z.number().int().min(0),
})

/** `/{resourcePath}/{httpMethod}`, as AWS keys per-method throttles (`/pets/GET`, `//GET` for the root). */
const methodKey = z
  .string()
  .regex(
    /^\/\S*\/(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY|\*)$/,
    'method keys are /{resourcePath}/{httpMethod}, e.g. /pets/GET',
  )

const stageSchema = z.object({
  variables: z.record(z.string(), z.string()).optional(),
  description: z.string().optional(),
  /** The stage's default method throttling (`methodSettings` `*\/*`). */
  throttling: throttleSchema.optional(),
  /** Throttling of single methods, keyed `/{resourcePath}/{httpMethod}`. */
  methodThrottling: z.record(methodKey, throttleSchema).optional(),
})

const apiKeySchema = z.object({
  /** The key's value; generated (40 characters) when absent. AWS requires at least 20 characters. */
  value: z.string().min(20).max(128).optional(),
  enabled: z.boolean().default(true),
  description: z.string().optional(),
})

const usagePlanSchema = z.object({
  description: z.string().optional(),
  throttle: throttleSchema.partial().optional(),
  quota: z
    .object({
      limit: z.number().int().min(0),
      period: z.enum(['DAY', 'WEEK', 'MONTH']),
      offset: z.number().int().min(0).default(0),
    })
    .optional(),
  /** API stages of this project the plan covers, with optional per-method throttles. */
  apis: z
    .array(
      z.object({
        api: z.string(),
        stage: z.string(),
        methodThrottling: z.record(methodKey, throttleSchema.partial()).optional(),
      }),
    )
    .default([]),
  /** Names of keys declared under apiKeys. */
  keys: z.array(z.string()).default([]),
})

const authorizerSchema = z
  .object({
    type: z.enum(['TOKEN', 'REQUEST', 'COGNITO_USER_POOLS']),
    /** TOKEN / REQUEST: a function of this project (or any function the gateway has). */
    function: z.string().optional(),
    identitySource: z.string().optional(),
    identityValidationExpression: z.string().optional(),
    resultTtlInSeconds: z.number().int().min(0).max(3600).optional(),
    providerARNs: z.array(z.string()).optional(),
  })
  .refine((a) => (a.type === 'COGNITO_USER_POOLS' ? !!a.providerARNs?.length : !!a.function), {
    message: 'a Lambda authorizer names its function; a COGNITO_USER_POOLS one its providerARNs',
  })

/** How one method is authorised: an authorizer of the API (with Cognito scopes), AWS_IAM or NONE. */
const methodAuthSchema = z.union([
  z.object({ authorizer: z.string(), scopes: z.array(z.string()).optional() }),
  z.object({ authorization: z.enum(['AWS_IAM', 'NONE']) }),
])

const apiSchema = z
  .object({
    /** An OpenAPI file (2.0 or 3.0, JSON or YAML) with x-amazon-apigateway-* extensions. */
    openapi: z.string().optional(),
    /** The same, inline. */
    definition: z.record(z.string(), z.unknown()).optional(),
    stages: z.record(z.string(), stageSchema).default({ dev: {} }),
    /** Authorizers by name, created or updated on the API after the OpenAPI import. */
    authorizers: z.record(z.string(), authorizerSchema).optional(),
    /** Method authorization keyed `/{resourcePath}/{httpMethod}`. */
    methods: z.record(methodKey, methodAuthSchema).optional(),
    /** The API's resource policy (an IAM policy document). */
    policy: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((api) => (api.openapi === undefined) !== (api.definition === undefined), {
    message: 'give exactly one of openapi (a file) or definition (inline)',
  })

const projectSchema = z
  .object({
    functions: z
      .record(
        z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'function names are 1-64 letters, digits, - or _'),
        functionSchema,
      )
      .default({}),
    apis: z.record(z.string(), apiSchema).default({}),
    apiKeys: z.record(z.string(), apiKeySchema).default({}),
    usagePlans: z.record(z.string(), usagePlanSchema).default({}),
  })
  .superRefine((project, ctx) => {
    for (const [apiName, api] of Object.entries(project.apis)) {
      for (const [key, auth] of Object.entries(api.methods ?? {})) {
        if ('authorizer' in auth && !(auth.authorizer in (api.authorizers ?? {}))) {
          ctx.addIssue({
            code: 'custom',
            path: ['apis', apiName, 'methods', key, 'authorizer'],
            message: `no authorizer named ${auth.authorizer} in apis.${apiName}.authorizers`,
          })
        }
      }
    }
    // A plan may only name the project's own APIs, stages and keys.
    for (const [planName, plan] of Object.entries(project.usagePlans)) {
      plan.apis.forEach((target, i) => {
        const api = project.apis[target.api]
        if (!api) {
          ctx.addIssue({
            code: 'custom',
            path: ['usagePlans', planName, 'apis', i, 'api'],
            message: `no API named ${target.api} in apis`,
          })
        } else if (!(target.stage in api.stages)) {
          ctx.addIssue({
            code: 'custom',
            path: ['usagePlans', planName, 'apis', i, 'stage'],
            message: `API ${target.api} has no stage ${target.stage}`,
          })
        }
      })
      plan.keys.forEach((key, i) => {
        if (!(key in project.apiKeys)) {
          ctx.addIssue({
            code: 'custom',
            path: ['usagePlans', planName, 'keys', i],
            message: `no API key named ${key} in apiKeys`,
          })
        }
      })
    }
  })

export type ProjectFunction = z.infer<typeof functionSchema>
export type ProjectApi = z.infer<typeof apiSchema>
export type ProjectApiKey = z.infer<typeof apiKeySchema>
export type ProjectUsagePlan = z.infer<typeof usagePlanSchema>
export type ProjectThrottle = z.infer<typeof throttleSchema>
export type ProjectAuthorizer = z.infer<typeof authorizerSchema>

/** A validated tollgate.yaml with every path made absolute. */
export interface Project {
  file: string
  functions: Record<string, ProjectFunction>
  apis: Record<string, ProjectApi & { openapiFile?: string }>
  apiKeys?: Record<string, ProjectApiKey>
  usagePlans?: Record<string, ProjectUsagePlan>
}

/** A project file problem, naming the file, line and field. */
export class ProjectFileError extends Error {}

/** Reads and validates a project file; errors say `file:line: field: problem`. */
export function loadProject(file: string): Project {
  const path = resolve(file)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    throw new ProjectFileError(`${path}: cannot read the project file`)
  }
  const lineCounter = new LineCounter()
  const document = parseDocument(text, { lineCounter })
  if (document.errors.length > 0) {
    const error = document.errors[0]
    const line = error?.linePos?.[0]?.line ?? 1
    throw new ProjectFileError(`${path}:${line}: ${error?.message.split('\n')[0] ?? 'invalid YAML'}`)
  }
  const parsed = projectSchema.safeParse(document.toJS() ?? {})
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const fieldPath = (issue?.path ?? []).map(String)
    const line = lineOf(document.contents, fieldPath, lineCounter)
    throw new ProjectFileError(
      `${path}:${line}: ${fieldPath.join('.') || '(top)'}: ${issue?.message ?? 'invalid'}`,
    )
  }
  const base = dirname(path)
  const absolute = (p: string): string => (isAbsolute(p) ? p : resolve(base, p))
  return {
    file: path,
    functions: Object.fromEntries(
      Object.entries(parsed.data.functions).map(([name, f]) => [name, { ...f, code: absolute(f.code) }]),
    ),
    apis: Object.fromEntries(
      Object.entries(parsed.data.apis).map(([name, api]) => [
        name,
        { ...api, ...(api.openapi ? { openapiFile: absolute(api.openapi) } : {}) },
      ]),
    ),
    apiKeys: parsed.data.apiKeys,
    usagePlans: parsed.data.usagePlans,
  }
}

/** The line of the deepest node the path reaches (the field itself, or its parent when it is missing). */
function lineOf(root: unknown, path: readonly string[], counter: LineCounter): number {
  let node = root as Node | null | undefined
  let offset = node?.range?.[0] ?? 0
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => String((item.key as { value?: unknown } | null)?.value) === key)
      if (!pair) break
      offset = (pair.key as Node | null)?.range?.[0] ?? offset
      node = pair.value as Node | null
    } else if (isSeq(node)) {
      node = node.items[Number(key)] as Node | null
      offset = node?.range?.[0] ?? offset
    } else break
  }
  return counter.linePos(offset).line
}
