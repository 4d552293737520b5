/** A template that cannot be parsed or fails while rendering: the request ends with a 500-class error. */
export class TemplateError extends Error {}

/** A render that exceeded a budget (loop iterations, steps, output size, macro depth). */
export class TemplateBudgetError extends TemplateError {}

/** The limits every render runs under. AWS documents 1,000 #foreach iterations per loop. */
export interface TemplateBudgets {
  maxLoopIterations: number
  maxSteps: number
  maxOutputBytes: number
  maxMacroDepth: number
}

export const DEFAULT_BUDGETS: TemplateBudgets = {
  maxLoopIterations: 1_000,
  maxSteps: 1_000_000,
  maxOutputBytes: 10 * 1024 * 1024,
  maxMacroDepth: 20,
}
