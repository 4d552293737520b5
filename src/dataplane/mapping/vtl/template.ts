/**
 * Compile once, render per request: the entry point the pipeline uses for mapping templates.
 *
 * AWS renders a mapping template with Apache Velocity and the variables of the "API Gateway
 * mapping template and access logging variable reference": `$input`, `$util`, `$context`,
 * `$stageVariables`. Parsing happens here once per template (per deployment); each render gets
 * fresh variables, fresh override maps and its own budgets, so no render can see or change another.
 */
import { InputHost, UtilHost, type InputData } from './builtins.js'
import type { Program } from './ast.js'
import { DEFAULT_TEMPLATE_BUDGETS, TemplateError, type TemplateBudgets } from './errors.js'
import { Interpreter, type UndefinedReferences } from './interpreter.js'
import { collectOverrides, createOverrideMaps, type TemplateOverrides } from './overrides.js'
import { parseTemplate } from './parse.js'
import { fromPlain, VtlMap, type TemplateValue } from './values.js'

/** What a template can read. */
export interface TemplateVariables {
  /** `$input`: the raw body and the method request parameters. */
  readonly input: InputData
  /** `$context` as plain data; `requestOverride` / `responseOverride` already applied may be included. */
  readonly context: Readonly<Record<string, unknown>>
  /** `$stageVariables`. */
  readonly stageVariables: Readonly<Record<string, string>>
}

/** The rendered text and the overrides the template set. */
export interface RenderResult {
  readonly output: string
  readonly overrides: TemplateOverrides
}

/** A template parsed once, rendered per request. */
export interface CompiledTemplate {
  /** The template text as configured. */
  readonly source: string
  /**
   * Renders with `variables`. Throws `TemplateError` (a runtime fault, a body that is not JSON,
   * a repeated override) or `TemplateBudgetError` (a budget exceeded).
   */
  render(variables: TemplateVariables, budgets?: Partial<TemplateBudgets>): RenderResult
}

/** Options fixed when a template is compiled. */
export interface CompileOptions {
  /**
   * How a reference that is null or undefined renders without `$!`. `'empty'` (default) is what AWS
   * does: "API Gateway will render it as an empty string" for a missing `$input.path('$').item`
   * (toqoz/api-gateway-mapping-template#5), and LocalStack's engine, checked against AWS, patches
   * Velocity the same way ("Apigateway does not return None but returns an empty string instead",
   * `localstack/utils/aws/templating.py`). `'literal'` is plain Velocity: `$missing` prints as written.
   */
  readonly undefinedReferences?: UndefinedReferences
}

/** Parses a mapping template. Throws `TemplateError` (kind `parse`) when it is not valid VTL. */
export function compileTemplate(text: string, options: CompileOptions = {}): CompiledTemplate {
  let program: Program
  try {
    program = parseTemplate(text)
  } catch (error) {
    throw asTemplateError(error, 'parse')
  }
  const undefinedReferences = options.undefinedReferences ?? 'empty'
  return {
    source: text,
    render(variables, budgets) {
      const limits: TemplateBudgets = { ...DEFAULT_TEMPLATE_BUDGETS, ...budgets }
      const overrideMaps = createOverrideMaps(variables.context)
      const context = fromPlain(variables.context)
      const contextMap = context instanceof VtlMap ? context : new VtlMap()
      contextMap.entries.set('requestOverride', overrideMaps.requestOverride)
      contextMap.entries.set('responseOverride', overrideMaps.responseOverride)
      const globals = new Map<string, TemplateValue>([
        ['input', new InputHost(variables.input, limits.maxOutputLength)],
        ['util', new UtilHost()],
        ['context', contextMap],
        ['stageVariables', fromPlain(variables.stageVariables)],
      ])
      const interpreter = new Interpreter(program, globals, limits, undefinedReferences)
      try {
        const output = interpreter.run()
        return { output, overrides: collectOverrides(overrideMaps, interpreter) }
      } catch (error) {
        throw asTemplateError(error, 'runtime')
      }
    },
  }
}

/** Anything unexpected (a stack overflow on a pathological value) still leaves as a `TemplateError`. */
function asTemplateError(error: unknown, kind: 'parse' | 'runtime'): TemplateError {
  if (error instanceof TemplateError) return error
  const message = error instanceof Error ? error.message : String(error)
  return new TemplateError(
    kind,
    `Template ${kind === 'parse' ? 'parsing' : 'rendering'} failed: ${message}`,
    { cause: error },
  )
}
