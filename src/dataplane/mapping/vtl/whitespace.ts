/**
 * Velocity 1.7's whitespace rules (the engine AWS runs): a directive eats the rest of its line up
 * to and including the newline, and a `#set` also eats the indentation before it (1.7's
 * `SET_DIRECTIVE` token starts with `(" "|"\t")*`); other directives keep their indentation. So
 * an indented `#set` line leaves nothing and an indented `#if` line leaves its indentation; AWS's
 * documented PetStore output depends on these rules.
 */
import type { Token } from './velocityjs-tokens.js'

const LEADING_NEWLINE = /^[ \t]*\r?\n/
const TRAILING_INDENT = /(^|\n)[ \t]+$/

/** Applies Velocity 1.7's whitespace rules to the flat token list. */
export function gobbleWhitespace(tokens: Token[]): void {
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]
    if (token === undefined || typeof token === 'string') continue
    const next = tokens[i + 1]
    if (token.type !== 'references' && token.type !== 'raw' && typeof next === 'string') {
      tokens[i + 1] = next.replace(LEADING_NEWLINE, '')
    }
    const previous = tokens[i - 1]
    if (token.type === 'set' && typeof previous === 'string') {
      const before = tokens[i - 2]
      const atLineStart =
        before === undefined ||
        (typeof before !== 'string' && before.type !== 'references' && before.type !== 'raw')
      tokens[i - 1] = previous.replace(TRAILING_INDENT, (match, newline: string) =>
        newline === '\n' || atLineStart ? newline : match,
      )
    }
  }
}
