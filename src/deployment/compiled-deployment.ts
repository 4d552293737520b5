import {
  resourcePath,
  type DeploymentRecord,
  type HttpMethod,
  type Method,
  type RestApi,
  type RestApiDocument,
} from '../model/index.js'
import { compileRoutes, type RouteTable } from '../dataplane/routing/compile.js'
import { DeploymentValidators } from '../dataplane/validation/compile.js'
import { TemplateCache } from '../dataplane/mapping/template-cache.js'

/** A resource of a compiled deployment: its full path and methods. */
export interface CompiledResource {
  readonly id: string
  /** The resource path template, e.g. `/pets/{id}` ($context.resourcePath). */
  readonly path: string
  readonly methods: Readonly<Partial<Record<HttpMethod, Method>>>
}

/**
 * A deployment made ready to serve: built once from the immutable snapshot, never changed
 * afterwards (the snapshot is deep-frozen), shared by every request and stage that uses it.
 */
export interface CompiledDeployment {
  readonly id: string
  readonly api: RestApi
  readonly snapshot: RestApiDocument
  readonly routes: RouteTable
  readonly resources: ReadonlyMap<string, CompiledResource>
  /** Request validation per method, compiled on first use and kept for the deployment's life. */
  readonly validators: DeploymentValidators
  /** Mapping templates, each parsed once for the deployment's life. */
  readonly templates: TemplateCache
}

/**
 * Compiles a deployment snapshot; throws if the snapshot cannot be served. Takes the snapshot
 * over: it is frozen in place, not copied (callers pass a record just read from the store, which
 * nothing else holds; a copy of a 300-resource snapshot was ~10% of a deployment's time to go
 * live, docs/performance.md).
 */
export function compileDeployment(record: DeploymentRecord): CompiledDeployment {
  const snapshot = deepFreeze(record.snapshot)
  const resources = new Map<string, CompiledResource>()
  for (const resource of Object.values(snapshot.resources)) {
    resources.set(resource.id, {
      id: resource.id,
      path: resourcePath(snapshot.resources, resource.id),
      methods: resource.resourceMethods ?? {},
    })
  }
  return Object.freeze({
    id: record.id,
    api: snapshot.api,
    snapshot,
    routes: compileRoutes(snapshot.resources),
    resources,
    validators: new DeploymentValidators(snapshot),
    templates: new TemplateCache(),
  })
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}
