import { compileTemplate, type CompiledTemplate } from './velocity/index.js'

/**
 * The mapping templates of one deployment, each parsed on first use and then reused by every
 * request (a deployment's templates never change). A template that does not parse is remembered
 * as such, so a broken template costs one parse per deployment, not one per request.
 */
export class TemplateCache {
  readonly #templates = new Map<string, CompiledTemplate | Error>()

  get(text: string): CompiledTemplate {
    let entry = this.#templates.get(text)
    if (entry === undefined) {
      try {
        entry = compileTemplate(text)
      } catch (error) {
        entry = error instanceof Error ? error : new Error(String(error))
      }
      this.#templates.set(text, entry)
    }
    if (entry instanceof Error) throw entry
    return entry
  }
}
