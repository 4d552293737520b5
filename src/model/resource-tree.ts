import type { Resource, ResourceRecord } from './resource.js'

/** The full path of a resource (`/pets/{id}`), from its ancestors' path parts. */
export function resourcePath(resources: Readonly<Record<string, ResourceRecord>>, id: string): string {
  const parts: string[] = []
  let current = resources[id]
  // A document is a tree; the bound guards against a corrupt cycle.
  for (let depth = 0; current?.parentId !== undefined && depth < 1000; depth++) {
    parts.unshift(current.pathPart ?? '')
    current = resources[current.parentId]
  }
  return `/${parts.join('/')}`
}

/** Ids of the direct children of `parentId`, in creation order. */
export function childIds(resources: Readonly<Record<string, ResourceRecord>>, parentId: string): string[] {
  return Object.values(resources)
    .filter((r) => r.parentId === parentId)
    .map((r) => r.id)
}

/** `id` and every resource below it. */
export function subtreeIds(resources: Readonly<Record<string, ResourceRecord>>, id: string): string[] {
  const out = [id]
  for (let i = 0; i < out.length; i++) out.push(...childIds(resources, out[i] as string))
  return out
}

/** Every resource with its derived path, parents before children (the order AWS lists them). */
export function resourcesInTreeOrder(resources: Readonly<Record<string, ResourceRecord>>): Resource[] {
  const root = Object.values(resources).find((r) => r.parentId === undefined)
  if (!root) return []
  const out: Resource[] = []
  const visit = (id: string): void => {
    const record = resources[id]
    if (!record) return
    out.push({ ...record, path: resourcePath(resources, id) })
    for (const child of childIds(resources, id)) visit(child)
  }
  visit(root.id)
  return out
}
