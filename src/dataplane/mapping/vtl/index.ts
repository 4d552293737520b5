/** The VTL engine for mapping templates: compile once per deployment, render per request. */
export {
  compileTemplate,
  type CompiledTemplate,
  type CompileOptions,
  type RenderResult,
  type TemplateVariables,
} from './template.js'
export type { InputData } from './builtins.js'
export type { TemplateOverrides } from './overrides.js'
export type { UndefinedReferences } from './interpreter.js'
export {
  DEFAULT_TEMPLATE_BUDGETS,
  TemplateBudgetError,
  TemplateError,
  type TemplateBudgetName,
  type TemplateBudgets,
  type TemplateErrorKind,
} from './errors.js'
