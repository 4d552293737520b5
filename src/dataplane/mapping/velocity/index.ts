import { parse } from 'velocityjs'
import type { AstNode } from './ast.js'
import { inputObject, utilObject, type InputData } from './builtins.js'
import { DEFAULT_BUDGETS, TemplateError, type TemplateBudgets } from './errors.js'
import { Renderer, Source, type ParsedTemplate } from './interpreter.js'
import { copyValue, fromPlain, javaString, numericValue, type TemplateValue } from './values.js'

export { TemplateError, TemplateBudgetError, DEFAULT_BUDGETS, type TemplateBudgets } from './errors.js'
export { paramsValue, type InputData } from './builtins.js'
export { fromPlain, type TemplateValue } from './values.js'

/** What a template can read. */
export interface TemplateVariables {
  input: InputData
  /**
   * The $context object: plain data, or template values already converted (copied for a render
   * that may change them); requestOverride / responseOverride are added for a template that names
   * them to set.
   */
  context: Record<string, unknown> | ReadonlyMap<string, TemplateValue>
  stageVariables: Readonly<Record<string, string>>
}

/** What a template set in `$context.requestOverride` / `$context.responseOverride`. */
export interface TemplateOverrides {
  request: {
    header: Record<string, string>
    querystring: Record<string, string>
    path: Record<string, string>
  }
  response: { status?: number; header: Record<string, string> }
}

export interface RenderResult {
  output: string
  overrides: TemplateOverrides
}

/** A mapping template parsed once (per deployment), rendered per request. */
export interface CompiledTemplate {
  render(variables: TemplateVariables, budgets?: TemplateBudgets): RenderResult
  /**
   * The output of a template that reads nothing and sets nothing (neither `$` nor `#` in its
   * text, e.g. MOCK's `{"statusCode": 200}`): the same for every request, so a request need not
   * build the variables or run the renderer.
   */
  readonly constantOutput?: string
}

/** What a template that set no override returns. */
export function noOverrides(): TemplateOverrides {
  return { request: { header: {}, querystring: {}, path: {} }, response: { header: {} } }
}

const NO_VARIABLES: TemplateVariables = {
  input: { body: '', path: {}, querystring: {}, header: {} },
  context: {},
  stageVariables: {},
}

/**
 * A `$context.*Override.*` map. AWS: "Overrides are final. An override may only be applied to each
 * parameter once"; a second one fails the request with a 5XX (docs
 * "apigateway-override-request-response-parameters").
 */
class OverrideMap extends Map<string, TemplateValue> {
  override set(key: string, value: TemplateValue): this {
    if (this.has(key)) throw new TemplateError(`Override of ${key} applied more than once`)
    return super.set(key, value)
  }
}

/** Velocity's `#stop` is missing from velocityjs's grammar: it becomes a reserved macro call. */
const STOP = /#(?:\{stop\}|stop(?![A-Za-z0-9_]))/g

/** The AST fields that hold a name: references' and path steps' `id`, `#foreach`'s `to`. */
const NAME_FIELDS = new Set(['id', 'to'])

/**
 * Replaces every name in a parsed template by V8's internalized copy of it (the string a property
 * key of that name is), once per template. The parser hands out names cut from the template's
 * text; a `Map` lookup or a `switch` comparing such a name with a key written in our code compares
 * their characters, where two internalized strings compare by identity. The request template of
 * `npm run bench` rendered in 7.5 µs instead of 8.9 (docs/performance.md). No library does this;
 * reading back the key of a one-key object is how JavaScript hands out the internalized copy.
 */
function internNames(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) internNames(item)
    return
  }
  if (typeof node !== 'object' || node === null) return
  const record = node as Record<string, unknown>
  for (const key of Object.keys(record)) {
    const value = record[key]
    if (typeof value !== 'string') internNames(value)
    else if (NAME_FIELDS.has(key)) record[key] = Object.keys({ [value]: 0 })[0]
  }
}

function parseTemplate(text: string): ParsedTemplate {
  try {
    const ast = parse(text.replace(STOP, '#tollgateStop()')) as unknown as AstNode[]
    internNames(ast)
    return { ast, source: new Source(text) }
  } catch (error) {
    throw new TemplateError(`Invalid mapping template: ${(error as Error).message.split('\n')[0] ?? ''}`)
  }
}

/**
 * The only ways a template changes a value it did not create: a method that changes a map or list
 * (methods.ts: put, putAll, remove, clear, add, addAll, set), and `#set` of a property or index
 * (`#set($context.x = 1)`, `#set($m["k"] = 1)`). Read on the text, double-quoted strings and
 * macros included, so a match in plain text only costs a copy.
 */
const CHANGING_CALL = /\.\s*(?:put|putAll|remove|clear|add|addAll|set)\s*\(/
const SET_OF_PART = /#\{?set\}?\s*\(\s*\$!?\{?\s*[A-Za-z_][\w-]*\s*[.[]/

/**
 * Whether a template may change a value it reads ($context, $input.params()): only then does a
 * render need its own deep copy of them, else it reads the request's converted values (copying
 * $context at every depth for each render was ~2% of a templated request, profiled 2026-12-06).
 */
export function mayChangeValues(text: string): boolean {
  return CHANGING_CALL.test(text) || SET_OF_PART.test(text)
}

/** Parses a template; throws TemplateError when it is not valid VTL. */
export function compileTemplate(text: string): CompiledTemplate {
  const parsed = parseTemplate(text)
  const changesValues = mayChangeValues(text)
  // Double-quoted strings are small templates of their own; each is parsed once.
  const nested = new Map<string, ParsedTemplate>()
  const parseNested = (source: string): ParsedTemplate => {
    let found = nested.get(source)
    if (!found) {
      found = parseTemplate(source)
      if (nested.size < 1000) nested.set(source, found)
    }
    return found
  }
  // The override maps are reached by name only ($context.requestOverride, $context.responseOverride):
  // a template whose text never names them is given none (saving four maps and a copy of
  // $context per render). Only a name built at run time, `$context.get("request$x")`, would miss.
  const namesOverrides = text.includes('Override')
  const template: CompiledTemplate = {
    render(variables, budgets = DEFAULT_BUDGETS) {
      const given = variables.context
      // A render that sets the overrides on it gets a top-level map of its own.
      const context = (
        !(given instanceof Map)
          ? fromPlain(given)
          : changesValues
            ? copyValue(given)
            : namesOverrides
              ? new Map(given)
              : given
      ) as Map<string, TemplateValue>
      const globals = new Map<string, TemplateValue | undefined>([
        ['input', inputObject(variables.input, !changesValues)],
        ['util', utilObject],
        ['context', context],
        ['stageVariables', fromPlain(variables.stageVariables)],
      ])
      if (!namesOverrides)
        return {
          output: new Renderer(globals, budgets, parseNested).render(parsed),
          overrides: noOverrides(),
        }
      const requestOverride = new Map<string, TemplateValue>([
        ['header', new OverrideMap()],
        ['querystring', new OverrideMap()],
        ['path', new OverrideMap()],
      ])
      const responseOverride = new OverrideMap([['header', new OverrideMap()]])
      context.set('requestOverride', requestOverride)
      context.set('responseOverride', responseOverride)
      const output = new Renderer(globals, budgets, parseNested).render(parsed)
      const status = numericValue(responseOverride.get('status') ?? null)
      return {
        output,
        overrides: {
          request: {
            header: stringMap(requestOverride.get('header')),
            querystring: stringMap(requestOverride.get('querystring')),
            path: stringMap(requestOverride.get('path')),
          },
          response: {
            ...(status !== undefined ? { status: Math.trunc(status) } : {}),
            header: stringMap(responseOverride.get('header')),
          },
        },
      }
    },
  }
  // Rendered once, by the renderer itself, so the text comes out exactly as a request would get it.
  if (text.includes('$') || text.includes('#')) return template
  return { ...template, constantOutput: template.render(NO_VARIABLES).output }
}

function stringMap(value: TemplateValue | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>
  if (value instanceof Map) for (const [k, v] of value) out[k] = javaString(v)
  return out
}
