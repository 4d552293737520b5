import { createHash } from 'node:crypto'
import type { ActiveStage } from '../../deployment/stage-registry.js'
import { methodSettingKey, type MethodSetting } from '../../model/index.js'
import { ownValue } from '../../model/own-keys.js'
import { cacheBudgetBytes } from '../../cache/cache-store.js'
import { required, type InvocationContext } from '../context.js'
import { GatewayError } from '../errors/gateway-error.js'
import { headerValue } from '../request.js'
import type { DataPlaneDeps, Stage, StageOutcome } from '../stage.js'

/** What the stage cache does for one method (AWS docs "api-gateway-caching"). */
interface CacheSettings {
  ttlSeconds: number
  requireAuthorization: boolean
  strategy: string
}

/**
 * Whether the stage cache serves a method: a method's own settings decide for it; else the stage
 * default `*\/*` enables GET methods only; with neither, GET methods are cached once the stage
 * cache is on ("only GET methods have caching enabled by default").
 */
function cacheSettings(
  stage: ActiveStage['stage'],
  resourcePath: string,
  methodKey: string,
): CacheSettings | undefined {
  if (!stage.cacheClusterEnabled) return undefined
  const own: MethodSetting | undefined = stage.methodSettings[methodSettingKey(resourcePath, methodKey)]
  const defaults: MethodSetting | undefined = stage.methodSettings['*/*']
  const enabled = own
    ? own.cachingEnabled
    : defaults
      ? defaults.cachingEnabled && methodKey === 'GET'
      : methodKey === 'GET'
  const setting = own ?? defaults
  const ttlSeconds = setting?.cacheTtlInSeconds ?? 300
  if (!enabled || ttlSeconds <= 0) return undefined
  return {
    ttlSeconds,
    requireAuthorization: setting?.requireAuthorizationForCacheControl ?? true,
    strategy: setting?.unauthorizedCacheControlHeaderStrategy ?? 'SUCCEED_WITH_RESPONSE_HEADER',
  }
}

/** A stage's configuration, hashed: a changed setting or deployment never serves old entries. */
const fingerprints = new WeakMap<object, string>()
function fingerprint(ctx: InvocationContext): string {
  const { active, deployment } = ctx.target
  const key = deployment === active.deployment ? active : deployment
  let print = fingerprints.get(key)
  if (!print) {
    const { stage } = active
    print = createHash('sha256')
      .update(
        JSON.stringify([deployment.id, stage.methodSettings, stage.variables ?? {}, stage.cacheClusterSize]),
      )
      .digest('base64url')
      .slice(0, 16)
    fingerprints.set(key, print)
  }
  return print
}

/**
 * The cache key as AWS builds it: the stage (and its configuration), the integration's
 * `cacheNamespace` (by default the resource id), the method, and the values of the request
 * parameters named in `cacheKeyParameters`. `/users/1` and `/users/2` share an entry unless the
 * path parameter is a key parameter; resources sharing a namespace share entries.
 */
function cacheKey(ctx: InvocationContext): string {
  const { resource, method, methodKey, pathParameters } = required(ctx.match, 'match')
  const integration = method.methodIntegration
  const parts = [fingerprint(ctx), integration?.cacheNamespace ?? resource.id, methodKey]
  for (const parameter of integration?.cacheKeyParameters ?? []) {
    const [, , location = '', ...rest] = parameter.split('.')
    const name = rest.join('.')
    const value =
      location === 'path'
        ? ownValue(pathParameters, name)
        : location === 'querystring'
          ? ctx.request.query.get(name)?.join(',')
          : location === 'header'
            ? headerValue(ctx.request.headers, name)
            : undefined
    parts.push(`${parameter}=${value ?? ''}`)
  }
  return parts.map((p) => encodeURIComponent(p)).join('|')
}

/**
 * Who may refresh an entry with `Cache-Control: max-age=0` when authorisation is required: a
 * caller whose authorizer policy allows execute-api:InvalidateCache, or an IAM caller of the
 * API's account (Tollgate has no IAM identity policies to deny it).
 */
const mayInvalidate = (ctx: InvocationContext, accountId: string): boolean =>
  ctx.authorizer?.canInvalidateCache === true || ctx.caller?.accountId === accountId

/**
 * The stage cache (AWS docs "api-gateway-caching"): a cached endpoint response answers without
 * calling the integration (authorizers, API keys and throttling have run already); a client's
 * `Cache-Control: max-age=0` refreshes the entry when allowed, and otherwise follows the method's
 * unauthorizedCacheControlHeaderStrategy.
 */
export const lookupCache: Stage = {
  name: 'lookupCache',
  run(ctx, deps) {
    const { resource, methodKey } = required(ctx.match, 'match')
    const settings = cacheSettings(ctx.target.active.stage, resource.path, methodKey)
    return settings ? lookup(ctx, deps, settings) : 'continue'
  },
}

async function lookup(
  ctx: InvocationContext,
  deps: DataPlaneDeps,
  settings: CacheSettings,
): Promise<StageOutcome> {
  const stage = `${ctx.target.apiId}/${ctx.target.stageName}`
  const key = cacheKey(ctx)
  const budgetBytes = cacheBudgetBytes(ctx.target.active.stage.cacheClusterSize, deps.cacheMemoryScale)
  const refresh = /(?:^|,)\s*max-age\s*=\s*0\s*(?:,|$)/i.test(
    headerValue(ctx.request.headers, 'cache-control') ?? '',
  )
  const allowed = !settings.requireAuthorization || mayInvalidate(ctx, deps.accountId)
  if (refresh && !allowed && settings.strategy === 'FAIL_WITH_403')
    throw new GatewayError(
      'ACCESS_DENIED',
      'cache.invalidate_denied',
      'User is not authorized to invalidate the cache',
    )
  // An unauthorised refresh is ignored: with a warning header, or silently.
  const warn = refresh && !allowed && settings.strategy === 'SUCCEED_WITH_RESPONSE_HEADER'
  const allowedRefresh = refresh && allowed
  const cached = allowedRefresh ? undefined : await deps.cache.get(stage, key)
  ctx.cache = {
    stage,
    key,
    ttlMs: settings.ttlSeconds * 1000,
    budgetBytes,
    hit: cached !== undefined,
    warn,
  }
  if (cached) {
    ctx.endpointResponse = {
      status: cached.status,
      headers: [...cached.headers],
      body: cached.body,
      ...(cached.selector !== undefined ? { selector: cached.selector } : {}),
    }
  }
  return 'continue'
}
