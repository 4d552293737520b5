import fc from 'fast-check'
import { afterAll, beforeAll } from 'vitest'

/**
 * Settings of the property-based fuzz suites (issue 16): a fixed seed by default, so a CI failure
 * replays; `FUZZ_SEED` and `FUZZ_RUNS` (requests per suite) to explore further.
 */
export interface FuzzSettings {
  seed: number
  runs: number
}

export function fuzzSettings(defaultRuns: number): FuzzSettings {
  const seed = Number(process.env['FUZZ_SEED'] ?? 20261204)
  const runs = Number(process.env['FUZZ_RUNS'] ?? defaultRuns)
  if (!Number.isInteger(seed) || !Number.isInteger(runs) || runs <= 0) {
    throw new Error('FUZZ_SEED and FUZZ_RUNS must be integers (FUZZ_RUNS > 0)')
  }
  return { seed, runs }
}

/** Keys that would reach a prototype if a handler assigned them naively. */
export const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf']

/** Strings a handler may not expect: empty, control characters, unicode, encodings, long ones. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\u0000',
      '\r\n',
      '../..',
      '%2F',
      '%',
      '{',
      '{proxy+}',
      '$',
      '#set(',
      '${',
      '\ud800',
      '🦄',
      'ǅ\u0301',
      '*',
      '~1',
      '/',
      'null',
      'true',
      '-1',
      '1e309',
      '__proto__',
      'constructor',
      'arn:aws:apigateway:us-east-1::/restapis',
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 70_000 }).map((n) => 'x'.repeat(n)) },
)

/** Nested arrays or objects `depth` levels deep. */
export function deepJson(depth: number, asObject: boolean): unknown {
  let value: unknown = 1
  for (let i = 0; i < depth; i++) value = asObject ? { a: value } : [value]
  return value
}

/**
 * JSON text nested `depth` levels deep, as text: deeper than a recursive JSON.stringify can write,
 * optionally set as a member of a body (`{"name": ...}`) or a patch operation's value.
 */
export const deepJsonText = (maxDepth: number): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.integer({ min: 1_000, max: maxDepth }),
      fc.boolean(),
      fc.constantFrom(
        '%',
        '{"name": %}',
        '{"tags": {"a": %}}',
        '{"patchOperations": [{"op": "replace", "path": "/name", "value": %}]}',
      ),
    )
    .map(([depth, asObject, wrapper]) => {
      const text = asObject
        ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
        : `${'['.repeat(depth)}${']'.repeat(depth)}`
      return wrapper.replace('%', text)
    })

/** A JSON object whose keys may be hostile (`__proto__` stays an own key: fromEntries defines it). */
export const anyObject = (value: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...HOSTILE_KEYS), hostileString), value), { maxLength: 4 })
    .map((entries) => Object.fromEntries(entries) as Record<string, unknown>)

/** Any JSON value: scalars of every type, hostile strings and keys, and now and then deep nesting. */
export const anyJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53, -(2 ** 63), 1e308) },
    { weight: 1, arbitrary: fc.integer() },
    { weight: 4, arbitrary: hostileString },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
    { weight: 1, arbitrary: anyObject(tie('value')) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 100, max: 2_000 }), fc.boolean())
        .map(([depth, asObject]) => deepJson(depth, asObject)),
    },
  ),
})).value

/** `value` most of the time, else anything. */
export const mostly = <T>(value: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 3, arbitrary: value }, { weight: 1, arbitrary: anyJson })

/** Lone surrogates replaced, as `String.prototype.toWellFormed` (ES2024) does. */
export const wellFormed = (s: string): string =>
  s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')

/** What an AWS-shaped error is: a JSON object with a string `message` and `x-amzn-ErrorType`. */
export function awsErrorProblem(status: number, errorType: string | null, body: string): string | undefined {
  if (!errorType) return `${status} without x-amzn-ErrorType`
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return `${status} ${errorType} with a body that is not JSON: ${body.slice(0, 80)}`
  }
  const message =
    parsed !== null && typeof parsed === 'object'
      ? ((parsed as Record<string, unknown>)['message'] ?? (parsed as Record<string, unknown>)['Message'])
      : undefined
  if (typeof message !== 'string')
    return `${status} ${errorType} without a string message: ${body.slice(0, 80)}`
  return undefined
}

/**
 * Violations found by a fuzz run, one example per distinct kind (so one run reports every bug it
 * hit, not only the first).
 */
export class Violations {
  readonly #byKind = new Map<string, { count: number; example: string }>()

  add(kind: string, example: string): void {
    const entry = this.#byKind.get(kind)
    if (entry) entry.count++
    else this.#byKind.set(kind, { count: 1, example: example.slice(0, 2_000) })
  }

  get size(): number {
    return this.#byKind.size
  }

  /** One line per kind: count, kind, an example request. */
  report(): string[] {
    return [...this.#byKind].map(([kind, { count, example }]) => `${count}x ${kind}\n    e.g. ${example}`)
  }
}

/** A management call for a fixture: it must succeed; its JSON answer. */
export async function managementCall(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  const text = await response.text()
  if (response.status >= 300)
    throw new Error(`fixture: ${method} ${path} answered ${response.status} ${text}`)
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>)
}

/** A request validator for bodies and parameters, and a `Pet` model with `schema`; the validator's id. */
export async function putValidatorAndModel(url: string, apiPath: string, schema: object): Promise<string> {
  const validator = await managementCall(url, 'POST', `${apiPath}/requestvalidators`, {
    name: 'all',
    validateRequestBody: true,
    validateRequestParameters: true,
  })
  await managementCall(url, 'POST', `${apiPath}/models`, {
    name: 'Pet',
    contentType: 'application/json',
    schema: JSON.stringify(schema),
  })
  return String(validator['id'])
}

/**
 * Collects the process's unhandled rejections while the tests of one `describe` run (the gateway
 * runs in the test's process: one of its rejections would show here, and kill a real server).
 */
export function watchUnhandledRejections(): unknown[] {
  const rejections: unknown[] = []
  const onRejection = (reason: unknown): void => {
    rejections.push(reason)
  }
  beforeAll(() => {
    process.on('unhandledRejection', onRejection)
  })
  afterAll(() => {
    process.off('unhandledRejection', onRejection)
  })
  return rejections
}
