/**
 * `$context.requestOverride.*` and `$context.responseOverride.*`: what a template sets there is
 * collected for the pipeline. AWS ("Override your API's request and response parameters and status
 * codes"): "Overrides are final. An override may only be applied to each parameter once. Trying to
 * override the same parameter multiple times will result in 5XX responses", hence an
 * `OverrideMap` refuses a second write.
 */
import { TemplateError } from './errors.js'
import { VtlMap, type Runtime, type TemplateValue } from './values.js'

/** What a template set in `$context.requestOverride` / `$context.responseOverride`. */
export interface TemplateOverrides {
  readonly requestOverride: {
    readonly header: Readonly<Record<string, string>>
    readonly querystring: Readonly<Record<string, string>>
    readonly path: Readonly<Record<string, string>>
  }
  readonly responseOverride: {
    /** The status code, when set (an integer from 100 to 599). */
    readonly status?: number
    readonly header: Readonly<Record<string, string>>
  }
}

/** A map whose keys can each be written once. */
export class OverrideMap extends VtlMap {
  constructor(readonly label: string) {
    super()
  }

  override put(key: string, value: TemplateValue): TemplateValue {
    if (this.has(key)) {
      throw new TemplateError(
        'override',
        `${this.label}.${key} is overridden more than once (overrides are final)`,
      )
    }
    return super.put(key, value)
  }

  override remove(): TemplateValue {
    throw new TemplateError('override', `${this.label} entries cannot be removed (overrides are final)`)
  }

  override clear(): void {
    throw new TemplateError('override', `${this.label} cannot be cleared (overrides are final)`)
  }
}

/** The override maps of one render, placed into its `$context`. */
export interface OverrideMaps {
  readonly requestOverride: OverrideMap
  readonly responseOverride: OverrideMap
}

function plainStrings(value: unknown): [string, string][] {
  if (typeof value !== 'object' || value === null) return []
  return Object.entries(value).flatMap(([key, item]): [string, string][] =>
    typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean'
      ? [[key, String(item)]]
      : [],
  )
}

function preload(map: OverrideMap, entries: readonly [string, string][]): OverrideMap {
  for (const [key, value] of entries) map.entries.set(key, value)
  return map
}

/**
 * Fresh override maps. Values already present in the `$context` passed in (for example overrides
 * set by the request template, passed on to the response template) count as already applied.
 */
export function createOverrideMaps(context: Readonly<Record<string, unknown>>): OverrideMaps {
  const request = (context.requestOverride ?? {}) as Record<string, unknown>
  const response = (context.responseOverride ?? {}) as Record<string, unknown>
  const requestOverride = new OverrideMap('requestOverride')
  for (const part of ['header', 'querystring', 'path']) {
    requestOverride.entries.set(
      part,
      preload(new OverrideMap(`requestOverride.${part}`), plainStrings(request[part])),
    )
  }
  const responseOverride = new OverrideMap('responseOverride')
  responseOverride.entries.set(
    'header',
    preload(new OverrideMap('responseOverride.header'), plainStrings(response.header)),
  )
  const status = response.status
  if (typeof status === 'string' || typeof status === 'number')
    responseOverride.entries.set('status', String(status))
  return { requestOverride, responseOverride }
}

function strings(map: TemplateValue, rt: Runtime): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>
  if (map instanceof VtlMap)
    for (const [key, value] of map.entries) if (value !== null) out[key] = rt.stringify(value)
  return out
}

/** Reads what the template set; a status that is not an HTTP status code fails the render. */
export function collectOverrides(maps: OverrideMaps, rt: Runtime): TemplateOverrides {
  const statusValue = maps.responseOverride.get('status')
  let status: number | undefined
  if (statusValue !== null) {
    const text = rt.stringify(statusValue).trim()
    status = /^\d{3}$/.test(text) ? Number(text) : NaN
    if (!(status >= 100 && status <= 599)) {
      throw new TemplateError('override', `$context.responseOverride.status is not a status code: ${text}`)
    }
  }
  return {
    requestOverride: {
      header: strings(maps.requestOverride.get('header'), rt),
      querystring: strings(maps.requestOverride.get('querystring'), rt),
      path: strings(maps.requestOverride.get('path'), rt),
    },
    responseOverride: {
      ...(status !== undefined ? { status } : {}),
      header: strings(maps.responseOverride.get('header'), rt),
    },
  }
}
