/**
 * Builds our syntax tree from velocityjs's tokens, with Velocity 1.7's rules where velocityjs
 * differs:
 * - whitespace as Velocity 1.7 gobbles it (`whitespace.ts`);
 * - `&&` binds tighter than `||` (velocityjs gives them one precedence);
 * - a missing or extra `#end` is a parse error, as in Velocity.
 */
import type { Expression, MacroDefinition, Node, Program, Reference, Step, BinaryOperator } from './ast.js'
import { TemplateError } from './errors.js'
import { SourceText, STOP_MACRO } from './source-text.js'
import { isBlock, tokenize, type Token, type VNode } from './velocityjs-tokens.js'
import { gobbleWhitespace } from './whitespace.js'

/** Deeper nesting (blocks, expressions, strings) is refused, so no render can overflow the stack. */
const MAX_DEPTH = 200

function parseError(message: string): never {
  throw new TemplateError('parse', `Invalid mapping template: ${message}`)
}

/** Parses a template into a `Program`; throws `TemplateError` (kind `parse`). */
export function parseTemplate(text: string): Program {
  const macros = new Map<string, MacroDefinition>()
  const body = new Converter(macros).template(text, 0)
  return { body, macros }
}

interface Frame {
  readonly open: VNode
  readonly branches: { condition: Expression; body: Node[] }[]
  otherwise: Node[] | undefined
  body: Node[]
}

class Converter {
  #source = new SourceText('')

  constructor(readonly macros: Map<string, MacroDefinition>) {}

  template(text: string, depth: number): Node[] {
    if (depth > MAX_DEPTH) parseError('strings are nested too deeply')
    const outer = this.#source
    this.#source = new SourceText(text)
    let tokens: Token[]
    try {
      tokens = tokenize(this.#source.text)
    } catch (error) {
      const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)
      throw new TemplateError('parse', `Invalid mapping template: ${message}`, { cause: error })
    }
    gobbleWhitespace(tokens)
    try {
      return this.#tree(tokens, depth)
    } finally {
      this.#source = outer
    }
  }

  #tree(tokens: readonly Token[], depth: number): Node[] {
    const root: Node[] = []
    const stack: Frame[] = []
    const current = (): Node[] => {
      const frame = stack.at(-1)
      if (!frame) return root
      return frame.otherwise ?? frame.body
    }
    for (const token of tokens) {
      if (typeof token === 'string') {
        if (token !== '') current().push({ kind: 'text', text: token })
        continue
      }
      switch (token.type) {
        case 'content':
        case 'raw':
          current().push({ kind: 'text', text: typeof token.value === 'string' ? token.value : '' })
          break
        case 'comment':
          break
        case 'references':
          current().push({ kind: 'reference', ref: this.#reference(token, depth) })
          break
        case 'set': {
          const [target, value] = Array.isArray(token.equal) ? (token.equal as VNode[]) : []
          if (target?.type !== 'references' || value === undefined) parseError('bad #set')
          current().push({
            kind: 'set',
            target: this.#reference(target, depth),
            value: this.#expression(value, depth),
          })
          break
        }
        case 'elseif':
        case 'else': {
          const frame = stack.at(-1)
          if (frame?.open.type !== 'if' || frame.otherwise) parseError(`#${token.type} without #if`)
          if (token.type === 'else') frame.otherwise = []
          else {
            const body: Node[] = []
            frame.branches.push({ condition: this.#expression(token.condition as VNode, depth), body })
            frame.body = body
          }
          break
        }
        case 'end': {
          const frame = stack.pop()
          if (!frame) parseError('#end without an open directive')
          const node = this.#close(frame, depth + stack.length)
          if (node) current().push(node)
          break
        }
        case 'macro_call':
          current().push(this.#call(token, depth))
          break
        case 'break':
          current().push({ kind: 'break' })
          break
        default: {
          if (!isBlock(token.type) || token.type === 'macro_body')
            parseError(`unsupported directive #${token.type}`)
          if (stack.length + depth > MAX_DEPTH) parseError('directives are nested too deeply')
          const body: Node[] = []
          const branches =
            token.type === 'if'
              ? [{ condition: this.#expression(token.condition as VNode, depth), body }]
              : []
          stack.push({ open: token, branches, otherwise: undefined, body })
        }
      }
    }
    if (stack.length > 0) parseError(`#${stack.at(-1)?.open.type ?? ''} without #end`)
    return root
  }

  #close(frame: Frame, depth: number): Node | undefined {
    const { open } = frame
    switch (open.type) {
      case 'if':
        return { kind: 'if', branches: frame.branches, otherwise: frame.otherwise ?? [] }
      case 'foreach':
        return {
          kind: 'foreach',
          variable: String(open.to),
          source: this.#expression(open.from as VNode, depth),
          body: frame.body,
        }
      case 'define':
        return { kind: 'define', name: String(open.id), body: frame.body }
      case 'macro': {
        const params = Array.isArray(open.args) ? (open.args as VNode[]).map((arg) => String(arg.id)) : []
        this.macros.set(String(open.id), { params, body: frame.body })
        return undefined
      }
      default:
        // `#noescape` is not a Velocity 1.7 directive; its body renders as is.
        return {
          kind: 'if',
          branches: [{ condition: { kind: 'literal', value: true }, body: frame.body }],
          otherwise: [],
        }
    }
  }

  #call(token: VNode, depth: number): Node {
    const name = String(token.id)
    if (name === STOP_MACRO) return { kind: 'stop' }
    const args = Array.isArray(token.args)
      ? (token.args as VNode[]).map((arg) => this.#expression(arg, depth))
      : []
    return { kind: 'call', name, args, literal: this.#source.slice(token.pos) ?? `#${name}()` }
  }

  #reference(node: VNode, depth: number): Reference {
    const path = Array.isArray(node.path) ? (node.path as VNode[]) : []
    const steps = path.map((step): Step => {
      switch (step.type) {
        case 'property':
          return { kind: 'property', name: String(step.id) }
        case 'index':
          return { kind: 'index', index: this.#expression(step.id as VNode, depth + 1) }
        case 'method':
          return {
            kind: 'method',
            name: String(step.id),
            args: Array.isArray(step.args)
              ? (step.args as VNode[]).map((arg) => this.#expression(arg, depth + 1))
              : [],
          }
        default:
          return parseError(`unsupported reference step ${step.type}`)
      }
    })
    const quiet = node.leader === '$!'
    const root = String(node.id)
    const literal =
      this.#source.slice(node.pos) ?? `${quiet ? '$!' : '$'}${node.isWraped === true ? `{${root}}` : root}`
    return { root, steps, quiet, literal }
  }

  #expression(node: VNode | string | undefined, depth: number): Expression {
    if (depth > MAX_DEPTH) parseError('expressions are nested too deeply')
    if (node === undefined) parseError('missing expression')
    if (typeof node === 'string') return integerLiteral(node)
    switch (node.type) {
      case 'references':
        return { kind: 'reference', ref: this.#reference(node, depth) }
      case 'integer':
        return integerLiteral(node.value)
      case 'decimal':
        return { kind: 'literal', value: Number(node.value) }
      case 'bool':
        return { kind: 'literal', value: node.value === 'null' ? null : node.value === 'true' }
      case 'runt':
        return { kind: 'literal', value: String(node.value) }
      case 'string': {
        const value = String(node.value)
        // Velocity interpolates a double-quoted string only when it holds `$` or `#`.
        if (node.isEval !== true || !/[$#]/.test(value)) return { kind: 'literal', value }
        return { kind: 'interpolated', body: this.template(value, depth + 1) }
      }
      case 'array': {
        const items = Array.isArray(node.value) ? (node.value as (VNode | string)[]) : []
        if (node.isRange === true) {
          const [from, to] = items
          return {
            kind: 'range',
            from: this.#expression(from, depth + 1),
            to: this.#expression(to, depth + 1),
          }
        }
        return { kind: 'list', items: items.map((item) => this.#expression(item, depth + 1)) }
      }
      case 'map': {
        const value = (node.value ?? {}) as Record<string, VNode>
        return {
          kind: 'map',
          entries: Object.keys(value).map((key) => [key, this.#expression(value[key], depth + 1)] as const),
        }
      }
      case 'math':
        return this.#math(node, depth)
      default:
        return parseError(`unsupported expression ${node.type}`)
    }
  }

  #math(node: VNode, depth: number): Expression {
    const operands = Array.isArray(node.expression) ? (node.expression as VNode[]) : []
    const [left, right] = operands
    switch (node.operator) {
      case 'parenthesis':
        return this.#expression(left, depth + 1)
      case 'not':
        return { kind: 'not', operand: this.#expression(left, depth + 1) }
      case 'minus':
        return {
          kind: 'binary',
          operator: '-',
          left: { kind: 'literal', value: 0n },
          right: this.#expression(left, depth + 1),
        }
      case '&&':
      case '||':
        return this.#logic(node, depth)
      default: {
        const operator = node.operator as BinaryOperator
        if (!BINARY.has(operator)) parseError(`unsupported operator ${String(node.operator)}`)
        return {
          kind: 'binary',
          operator,
          left: this.#expression(left, depth + 1),
          right: this.#expression(right, depth + 1),
        }
      }
    }
  }

  /**
   * velocityjs parses `a || b && c` as `(a || b) && c`. Explicit parentheses survive as their own
   * node, so an unparenthesized chain of `&&`/`||` can be collected and re-associated with `&&`
   * binding tighter, as in Velocity (and Java).
   */
  #logic(node: VNode, depth: number): Expression {
    const operands: VNode[] = []
    const operators: ('&&' | '||')[] = []
    let cursor: VNode | undefined = node
    while (cursor?.type === 'math' && (cursor.operator === '&&' || cursor.operator === '||')) {
      const [left, right] = cursor.expression as VNode[]
      if (right) operands.unshift(right)
      operators.unshift(cursor.operator)
      cursor = left
    }
    if (cursor) operands.unshift(cursor)
    const converted = operands.map((operand) => this.#expression(operand, depth + 1))
    const groups: Expression[] = []
    let group = converted[0] ?? parseError('missing operand')
    operators.forEach((operator, i) => {
      const next = converted[i + 1] ?? parseError('missing operand')
      if (operator === '&&') group = { kind: 'binary', operator: '&&', left: group, right: next }
      else {
        groups.push(group)
        group = next
      }
    })
    groups.push(group)
    return groups.reduce((left, right) => ({ kind: 'binary', operator: '||', left, right }))
  }
}

const BINARY = new Set<string>(['+', '-', '*', '/', '%', '==', '!=', '<', '<=', '>', '>='])

function integerLiteral(value: unknown): Expression {
  const text = String(value).trim()
  if (!/^-?\d+$/.test(text)) parseError(`bad number ${text}`)
  return { kind: 'literal', value: BigInt(text) }
}
