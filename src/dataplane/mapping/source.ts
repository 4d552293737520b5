import type { InvocationContext } from '../context.js'
import { required } from '../context.js'
import type { HeaderEntry } from '../request.js'
import { contextVariables, type ContextSettings } from './context-variables.js'
import type { MappingSource } from './parameters.js'

/** Header values by lower-cased name, every value in order. */
export function headerMap(headers: readonly HeaderEntry[]): Map<string, string[]> {
  const map = new Map<string, string[]>()
  for (const [name, value] of headers) {
    const key = name.toLowerCase()
    const values = map.get(key)
    if (values) values.push(value)
    else map.set(key, [value])
  }
  return map
}

/** The values request mappings read, for a routed request. */
export function requestMappingSource(ctx: InvocationContext, settings: ContextSettings): MappingSource {
  const match = required(ctx.match, 'match')
  // Built on first use: most methods map no header and no context variable.
  let headers: Map<string, string[]> | undefined
  let context: Record<string, unknown> | undefined
  return {
    pathParameters: match.pathParameters,
    query: ctx.request.query,
    get headers() {
      return (headers ??= headerMap(ctx.request.headers))
    },
    get context() {
      return (context ??= contextVariables(ctx, settings))
    },
    stageVariables: ctx.target.stageVariables,
  }
}
