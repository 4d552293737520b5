import { isGreedyPathVariable, isPathVariable, type ResourceRecord } from '../../model/index.js'

/** One resource of the tree, with its children split by kind so matching can follow AWS's precedence. */
export interface RouteNode {
  readonly resourceId: string
  readonly literals: ReadonlyMap<string, RouteNode>
  /** The `{name}` child, if any (AWS allows one variable child per parent). */
  readonly variable?: { readonly name: string; readonly node: RouteNode }
  /** The `{name+}` child, if any. */
  readonly greedy?: { readonly name: string; readonly node: RouteNode }
}

export interface RouteTable {
  readonly root: RouteNode
}

/** Builds the route tree of a deployment's resources; runs once per deployment. */
export function compileRoutes(resources: Readonly<Record<string, ResourceRecord>>): RouteTable {
  const all = Object.values(resources)
  const root = all.find((r) => r.parentId === undefined)
  if (!root) throw new Error('deployment snapshot has no root resource')
  const build = (resource: ResourceRecord): RouteNode => {
    const literals = new Map<string, RouteNode>()
    let variable: RouteNode['variable']
    let greedy: RouteNode['greedy']
    for (const child of all.filter((r) => r.parentId === resource.id)) {
      const part = child.pathPart ?? ''
      const node = build(child)
      if (isGreedyPathVariable(part)) greedy = { name: part.slice(1, -2), node }
      else if (isPathVariable(part)) variable = { name: part.slice(1, -1), node }
      else literals.set(part, node)
    }
    return Object.freeze({
      resourceId: resource.id,
      literals,
      ...(variable ? { variable } : {}),
      ...(greedy ? { greedy } : {}),
    })
  }
  return Object.freeze({ root: build(root) })
}
