/**
 * Source rewrites done before tokenizing, and the way back from token positions to the text as
 * written. velocityjs lacks `#stop`, `#break($foreach)` and the braced forms `#{end}`, `#{if}`...;
 * they are rewritten to forms it parses (`#stop` becomes a reserved macro call). Comments and
 * `#[[raw]]#` blocks are left untouched.
 */
import type { TokenPosition } from './velocityjs-tokens.js'

/** The macro name `#stop` is rewritten to. */
export const STOP_MACRO = 'tollgateStop'

const REWRITES =
  /##[^\n]*|#\*[\s\S]*?\*#|#\[\[[\s\S]*?\]\]#|#\{?stop\}?(?![\w-])|#\{?break\}?(?:\s*\(\s*\$!?\{?[A-Za-z][\w-]*\}?\s*\))?|#\{end\}(?![\w-])|#\{(if|elseif|foreach|set|macro|define)\}(?=\s*\()/g

/** The rewritten text and a map from its offsets to the original's. */
export class SourceText {
  readonly text: string
  /** [offset in rewritten text where a rewrite ends, total length change up to there]. */
  readonly #shifts: [number, number][] = []
  readonly #lineStarts: number[] = [0]

  constructor(readonly original: string) {
    let delta = 0
    this.text = original.replace(REWRITES, (match: string, keyword: string | undefined, offset: number) => {
      let replacement = match
      if (match.startsWith('##') || match.startsWith('#*') || match.startsWith('#[[')) return match
      if (/^#\{?stop/.test(match)) replacement = `#${STOP_MACRO}()`
      else if (/^#\{?break/.test(match)) replacement = '#break'
      else if (match === '#{end}') replacement = '#end'
      else if (keyword !== undefined) replacement = `#${keyword}`
      const before = delta
      delta += replacement.length - match.length
      this.#shifts.push([offset + before + replacement.length, delta])
      return replacement
    })
    for (let i = 0; i < this.text.length; i++) if (this.text[i] === '\n') this.#lineStarts.push(i + 1)
  }

  /** The original offset of an offset in the rewritten text. */
  originalOffset(offset: number): number {
    let delta = 0
    for (const [end, shift] of this.#shifts) {
      if (end > offset) break
      delta = shift
    }
    return offset - delta
  }

  /** The original text a token spans, or undefined without a position. */
  slice(pos: TokenPosition | undefined): string | undefined {
    if (!pos) return undefined
    const start = (this.#lineStarts[pos.first_line - 1] ?? 0) + pos.first_column
    const end = (this.#lineStarts[pos.last_line - 1] ?? 0) + pos.last_column
    return this.original.slice(this.originalOffset(start), this.originalOffset(end))
  }
}
