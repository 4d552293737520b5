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

const stageSchema = z.object({
  variables: z.record(z.string(), z.string()).optional(),
  description: z.string().optional(),
})

const apiSchema = z
  .object({
    /** An OpenAPI file (2.0 or 3.0, JSON or YAML) with x-amazon-apigateway-* extensions. */
    openapi: z.string().optional(),
    /** The same, inline. */
    definition: z.record(z.string(), z.unknown()).optional(),
    stages: z.record(z.string(), stageSchema).default({ dev: {} }),
  })
  .refine((api) => (api.openapi === undefined) !== (api.definition === undefined), {
    message: 'give exactly one of openapi (a file) or definition (inline)',
  })

const projectSchema = z.object({
  functions: z
    .record(
      z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'function names are 1-64 letters, digits, - or _'),
      functionSchema,
    )
    .default({}),
  apis: z.record(z.string(), apiSchema).default({}),
})

export type ProjectFunction = z.infer<typeof functionSchema>
export type ProjectApi = z.infer<typeof apiSchema>

/** A validated tollgate.yaml with every path made absolute. */
export interface Project {
  file: string
  functions: Record<string, ProjectFunction>
  apis: Record<string, ProjectApi & { openapiFile?: string }>
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
