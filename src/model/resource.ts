import type { HttpMethod, Method } from './method.js'

/** A node of the resource tree as stored; `path` is derived from the parents when read. */
export interface ResourceRecord {
  id: string
  parentId?: string
  pathPart?: string
  resourceMethods?: Partial<Record<HttpMethod, Method>>
}

/** The Resource shape the management API returns. */
export interface Resource extends ResourceRecord {
  path: string
}

/** `{name}` */
export const isPathVariable = (pathPart: string): boolean => /^\{[^{}]+\}$/.test(pathPart)
/** `{name+}` */
export const isGreedyPathVariable = (pathPart: string): boolean => /^\{[^{}]+\+\}$/.test(pathPart)
