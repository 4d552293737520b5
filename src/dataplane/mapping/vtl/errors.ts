/**
 * Typed failures of the mapping-template engine. The pipeline maps both to a 500-class gateway
 * error: AWS answers `{"message": "Internal server error"}` when a template cannot be rendered.
 */

/** Why a template failed: it does not parse, the request body is not JSON, or a runtime fault. */
export type TemplateErrorKind = 'parse' | 'body' | 'runtime' | 'override'

/** A template that cannot be parsed, or that fails while rendering (a Java exception in AWS). */
export class TemplateError extends Error {
  override readonly name: string = 'TemplateError'
  constructor(
    readonly kind: TemplateErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** The budget a render ran out of. */
export type TemplateBudgetName = 'loopIterations' | 'macroDepth' | 'steps' | 'outputLength'

/** A render that exceeded one of its budgets; it is stopped, never left to hang the gateway. */
export class TemplateBudgetError extends TemplateError {
  override readonly name: string = 'TemplateBudgetError'
  constructor(
    readonly budget: TemplateBudgetName,
    message: string,
  ) {
    super('runtime', message)
  }
}

/** The limits every render runs under. */
export interface TemplateBudgets {
  /** Iterations of one `#foreach` loop. AWS documents 1,000. */
  readonly maxLoopIterations: number
  /** Nested macro calls (a recursive macro ends here). */
  readonly maxMacroDepth: number
  /** Evaluation steps: nodes, expressions, method calls and characters processed (per 64). */
  readonly maxSteps: number
  /** Length of the output, and of any string built while rendering, in UTF-16 code units. */
  readonly maxOutputLength: number
}

/**
 * Defaults. The 1,000-iteration `#foreach` limit is AWS's ("API Gateway quotas": "Number of
 * iterations in a #foreach ... #end loop in mapping templates: 1,000"); the output limit follows
 * the 10 MB payload quota; the step and macro limits are ours.
 */
export const DEFAULT_TEMPLATE_BUDGETS: TemplateBudgets = Object.freeze({
  maxLoopIterations: 1_000,
  maxMacroDepth: 20,
  maxSteps: 1_000_000,
  maxOutputLength: 10 * 1024 * 1024,
})
