/**
 * velocityjs's grammar, used only as a tokenizer/expression parser: its flat token list (before
 * velocityjs nests blocks, which mishandles a missing or extra `#end`) and the shapes of its
 * expression nodes. Its evaluator is never called: it calls JS methods by name and can be escaped
 * to code execution (see docs/adr/0003-vtl-engine.md).
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { parse as parseNested } from 'velocityjs'

/** Where velocityjs puts a token (1-based lines, 0-based columns, end exclusive). */
export interface TokenPosition {
  readonly first_line: number
  readonly first_column: number
  readonly last_line: number
  readonly last_column: number
}

/** A velocityjs expression or directive node (only the fields we read). */
export interface VNode {
  readonly type: string
  readonly id?: unknown
  readonly value?: unknown
  readonly path?: unknown
  readonly args?: unknown
  readonly leader?: string
  readonly isWraped?: boolean
  readonly isEval?: boolean
  readonly isRange?: boolean
  readonly operator?: string
  readonly expression?: unknown
  readonly equal?: unknown
  readonly condition?: unknown
  readonly from?: unknown
  readonly to?: unknown
  readonly pos?: TokenPosition
}

/** A flat token: template text, or a directive / reference node. */
export type Token = string | VNode

type FlatParser = (text: string) => unknown

/**
 * velocityjs 2.x exports only the nesting `parse`; its flat parser sits in `dist/cjs/parse/index.cjs`.
 * If a later layout moves it, fall back to flattening the nested result (correct for balanced
 * templates, which are the ones that render).
 */
function loadFlatParser(): FlatParser | undefined {
  try {
    const require = createRequire(import.meta.url)
    const main = require.resolve('velocityjs')
    const internal = require(join(dirname(main), 'parse', 'index.cjs')) as { parse_1?: unknown }
    return typeof internal.parse_1 === 'function' ? (internal.parse_1 as FlatParser) : undefined
  } catch {
    return undefined
  }
}

const flatParser = loadFlatParser()

const BLOCK_TYPES = new Set(['if', 'foreach', 'macro', 'noescape', 'define', 'macro_body'])

function flatten(nodes: readonly unknown[], out: unknown[]): void {
  for (const node of nodes) {
    if (Array.isArray(node)) {
      const [open, ...body] = node as unknown[]
      out.push(open)
      flatten(body, out)
      out.push({ type: 'end' })
    } else out.push(node)
  }
}

/** Tokenizes a template; throws velocityjs's syntax error. */
export function tokenize(text: string): Token[] {
  const raw = flatParser ? flatParser(text) : undefined
  let tokens: unknown[]
  if (Array.isArray(raw)) tokens = raw as unknown[]
  else {
    tokens = []
    flatten(parseNested(text, {}, false), tokens)
  }
  return tokens.filter(
    (token): token is Token =>
      typeof token === 'string' ||
      (typeof token === 'object' && token !== null && typeof (token as { type?: unknown }).type === 'string'),
  )
}

/** True for the block directives closed by `#end`. */
export function isBlock(type: string): boolean {
  return BLOCK_TYPES.has(type)
}
