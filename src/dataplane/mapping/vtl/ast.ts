/**
 * Our own syntax tree, built once per template from velocityjs's parse. The interpreter walks only
 * these shapes; velocityjs's objects never reach it.
 */
import type { TemplateValue } from './values.js'

/** One step after a reference's root: `.name`, `[index]` or `.name(args)`. */
export type Step =
  | { readonly kind: 'property'; readonly name: string }
  | { readonly kind: 'index'; readonly index: Expression }
  | { readonly kind: 'method'; readonly name: string; readonly args: readonly Expression[] }

/** `$root.steps...`; `quiet` for `$!`; `literal` is the reference as written. */
export interface Reference {
  readonly root: string
  readonly steps: readonly Step[]
  readonly quiet: boolean
  readonly literal: string
}

/** The binary operators Velocity 1.7 has (`and`/`or`/`eq`... arrive as their symbols). */
export type BinaryOperator = '+' | '-' | '*' | '/' | '%' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||'

/** An expression: a directive argument, a method argument, a `#set` value. */
export type Expression =
  | { readonly kind: 'literal'; readonly value: null | boolean | string | bigint | number }
  | { readonly kind: 'interpolated'; readonly body: readonly Node[] }
  | { readonly kind: 'reference'; readonly ref: Reference }
  | { readonly kind: 'list'; readonly items: readonly Expression[] }
  | { readonly kind: 'range'; readonly from: Expression; readonly to: Expression }
  | { readonly kind: 'map'; readonly entries: readonly (readonly [string, Expression])[] }
  | { readonly kind: 'not'; readonly operand: Expression }
  | {
      readonly kind: 'binary'
      readonly operator: BinaryOperator
      readonly left: Expression
      readonly right: Expression
    }

/** One `#if` / `#elseif` branch. */
export interface IfBranch {
  readonly condition: Expression
  readonly body: readonly Node[]
}

/** A piece of the template: text, a rendered reference or a directive. */
export type Node =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'reference'; readonly ref: Reference }
  | { readonly kind: 'set'; readonly target: Reference; readonly value: Expression }
  | { readonly kind: 'if'; readonly branches: readonly IfBranch[]; readonly otherwise: readonly Node[] }
  | {
      readonly kind: 'foreach'
      readonly variable: string
      readonly source: Expression
      readonly body: readonly Node[]
    }
  | { readonly kind: 'define'; readonly name: string; readonly body: readonly Node[] }
  | {
      readonly kind: 'call'
      readonly name: string
      readonly args: readonly Expression[]
      readonly literal: string
    }
  | { readonly kind: 'break' }
  | { readonly kind: 'stop' }

/** A `#macro`: its parameter names and body. */
export interface MacroDefinition {
  readonly params: readonly string[]
  readonly body: readonly Node[]
}

/** A parsed template. Macros are collected when the template is parsed, as Velocity does. */
export interface Program {
  readonly body: readonly Node[]
  readonly macros: ReadonlyMap<string, MacroDefinition>
}

/** A literal's value; lists and maps are built fresh at each evaluation, never shared. */
export type LiteralValue = Extract<TemplateValue, null | boolean | string | bigint | number>
