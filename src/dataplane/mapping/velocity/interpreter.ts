import type { AstNode, Directive, Expression, ReferenceNode } from './ast.js'
import { TemplateBudgetError, TemplateError, type TemplateBudgets } from './errors.js'
import { callMethod, javaEquals, MethodFailure, readProperty } from './methods.js'
import {
  isHost,
  isTruthy,
  JavaDouble,
  javaString,
  numericValue,
  type HostObject,
  type TemplateValue,
} from './values.js'

/** Template text with its line offsets, to print a reference as written when it has no value. */
export class Source {
  readonly #lineStarts: number[] = [0]
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') this.#lineStarts.push(i + 1)
  }
  slice(pos: { first_line: number; first_column: number; last_line: number; last_column: number }): string {
    const start = (this.#lineStarts[pos.first_line - 1] ?? 0) + pos.first_column
    const end = (this.#lineStarts[pos.last_line - 1] ?? 0) + pos.last_column
    return this.text.slice(start, end)
  }
}

/** A parsed template: its AST and source. */
export interface ParsedTemplate {
  readonly ast: AstNode[]
  readonly source: Source
}

/** Parses nested template text (double-quoted strings); provided by the compiler, cached there. */
export type ParseNested = (text: string) => ParsedTemplate

/** `#define($x)...#end`: rendered where `$x` is used. */
class DefinedBlock {
  constructor(
    readonly nodes: AstNode[],
    readonly source: Source,
  ) {}
}

interface Macro {
  params: string[]
  body: AstNode[]
  source: Source
}

/** Control flow for #break and #stop, thrown through the renderer (never to callers). */
class BreakSignal extends Error {}
class StopSignal extends Error {}

type Value = TemplateValue | DefinedBlock | undefined

/** The arguments of a call written without any (`$m.keySet()`); never changed by a method. */
const NO_ARGS: readonly TemplateValue[] = Object.freeze([])

/**
 * Our own Velocity interpreter over velocityjs's AST. It never evaluates template text as code,
 * never reads a JS property named by a template (maps are `Map`s, methods go through
 * methods.ts's allowlist), and counts steps, loop iterations, macro depth and output size
 * against budgets.
 */
export class Renderer {
  readonly #scopes: Map<string, Value>[]
  readonly #macros = new Map<string, Macro>()
  readonly #budgets: TemplateBudgets
  readonly #parseNested: ParseNested
  // A string, not an array joined at the end: V8 appends to a rope and flattens it once when read,
  // which cost less than push + join for the many short pieces a template emits.
  #out = ''
  #size = 0
  #steps = 0
  #macroDepth = 0

  constructor(globals: Map<string, Value>, budgets: TemplateBudgets, parseNested: ParseNested) {
    this.#scopes = [globals]
    this.#budgets = budgets
    this.#parseNested = parseNested
  }

  render(template: ParsedTemplate): string {
    try {
      this.#renderNodes(template.ast, template.source)
    } catch (signal) {
      if (!(signal instanceof StopSignal) && !(signal instanceof BreakSignal)) throw signal
    }
    return this.#out
  }

  #emit(text: string): void {
    this.#size += text.length
    if (this.#size > this.#budgets.maxOutputBytes)
      throw new TemplateBudgetError('template output exceeds its size limit')
    this.#out += text
  }

  #step(): void {
    if (++this.#steps > this.#budgets.maxSteps)
      throw new TemplateBudgetError('template exceeds its evaluation step budget')
  }

  #renderNodes(nodes: readonly AstNode[], source: Source): void {
    for (const node of nodes) this.#renderNode(node, source)
  }

  #renderNode(node: AstNode, source: Source): void {
    this.#step()
    if (typeof node === 'string') return this.#emit(node)
    if (Array.isArray(node)) return this.#renderBlock(node, source)
    switch (node.type) {
      case 'references':
        return this.#emit(this.#referenceText(node, source))
      case 'set':
        return this.#set(node.equal[0], node.equal[1], source)
      case 'macro_call':
        return this.#macroCall(node, source)
      case 'break':
        throw new BreakSignal()
      case 'comment':
        return
      default:
        return
    }
  }

  #renderBlock(block: AstNode[], source: Source): void {
    const shape = blockShape(block)
    switch (shape.kind) {
      case 'if':
        return this.#renderIf(shape.branches, source)
      case 'foreach':
        return this.#renderForeach(shape.head.to, shape.head.from, shape.body, source)
      case 'define':
        this.#assignVariable(shape.head.id, new DefinedBlock(shape.body, source))
        return
      case 'macro': {
        const params = (shape.head.args || []).map((arg) => arg.id)
        this.#macros.set(shape.head.id, { params, body: shape.body, source })
        return
      }
      default:
        this.#renderNodes(block, source)
    }
  }

  #renderIf(branches: readonly IfBranch[], source: Source): void {
    for (const branch of branches) {
      if (
        branch.condition === undefined ||
        isTruthy(this.#valueOf(this.#evaluate(branch.condition, source), source))
      ) {
        this.#renderNodes(branch.nodes, source)
        return
      }
    }
  }

  #renderForeach(variable: string, from: Expression, body: AstNode[], source: Source): void {
    const collection = this.#valueOf(this.#evaluate(from, source), source)
    const items: TemplateValue[] = Array.isArray(collection)
      ? [...collection]
      : collection instanceof Map
        ? [...collection.values()]
        : []
    if (items.length > this.#budgets.maxLoopIterations) {
      throw new TemplateBudgetError(
        `#foreach over ${items.length} items exceeds the limit of ${this.#budgets.maxLoopIterations}`,
      )
    }
    const saved = ['foreach', 'velocityCount', 'velocityHasNext', variable].map(
      (name) => [name, this.#lookup(name)] as const,
    )
    const state = new ForeachState()
    // The scope each loop variable lives in, found once: the scopes a body's macro calls push are
    // popped before the next iteration, so it is the same scope on every pass.
    const foreachScope = this.#scopeOf('foreach')
    const itemScope = this.#scopeOf(variable)
    const countScope = this.#scopeOf('velocityCount')
    const hasNextScope = this.#scopeOf('velocityHasNext')
    try {
      for (let index = 0; index < items.length; index++) {
        const hasNext = index < items.length - 1
        state.index = index
        state.hasNext = hasNext
        foreachScope.set('foreach', state)
        itemScope.set(variable, items[index] ?? null)
        countScope.set('velocityCount', index + 1)
        hasNextScope.set('velocityHasNext', hasNext)
        try {
          this.#renderNodes(body, source)
        } catch (signal) {
          if (signal instanceof BreakSignal) break
          throw signal
        }
      }
    } finally {
      for (const [name, value] of saved) this.#assignVariable(name, value)
    }
  }

  #macroCall(node: Extract<Directive, { type: 'macro_call' }>, source: Source): void {
    if (node.id === 'tollgateStop') throw new StopSignal()
    const macro = this.#macros.get(node.id)
    if (!macro) {
      // Velocity prints an unknown directive or macro call as written (so #evaluate does nothing).
      this.#emit(node.pos ? source.slice(node.pos) : `#${node.id}()`)
      return
    }
    if (++this.#macroDepth > this.#budgets.maxMacroDepth)
      throw new TemplateBudgetError('macro recursion exceeds its depth limit')
    const args = (node.args || []).map((arg) => this.#evaluate(arg, source))
    const scope = new Map<string, Value>()
    macro.params.forEach((name, i) => scope.set(name, args[i]))
    this.#scopes.push(scope)
    try {
      this.#renderNodes(macro.body, macro.source)
    } catch (signal) {
      if (!(signal instanceof BreakSignal)) throw signal
    } finally {
      this.#scopes.pop()
      this.#macroDepth--
    }
  }

  #lookup(name: string): Value {
    for (let i = this.#scopes.length - 1; i >= 0; i--) {
      const scope = this.#scopes[i] as Map<string, Value>
      // One hash lookup for a variable that has a value; `has` only tells an unset one apart.
      const value = scope.get(name)
      if (value !== undefined || scope.has(name)) return value
    }
    return undefined
  }

  #assignVariable(name: string, value: Value): void {
    this.#scopeOf(name).set(name, value)
  }

  /** The innermost scope that holds `name`, else the global one (where a new variable goes). */
  #scopeOf(name: string): Map<string, Value> {
    for (let i = this.#scopes.length - 1; i > 0; i--) {
      const scope = this.#scopes[i] as Map<string, Value>
      if (scope.has(name)) return scope
    }
    return this.#scopes[0] as Map<string, Value>
  }

  #set(target: ReferenceNode, expression: Expression, source: Source): void {
    const value = this.#valueOf(this.#evaluate(expression, source), source)
    // Velocity 1.7: a null right-hand side leaves the left-hand side as it was.
    if (value === undefined || value === null) return
    const path = target.path ?? []
    if (path.length === 0) {
      this.#assignVariable(target.id, value)
      return
    }
    const container = this.#resolve(target.id, path.slice(0, -1), source)
    const last = path[path.length - 1]
    if (!last || container === undefined) return
    const key =
      last.type === 'index' ? this.#valueOf(this.#evaluate(last.id as Expression, source), source) : last.id
    if (container instanceof Map && (typeof key === 'string' || typeof key === 'number')) {
      container.set(String(key), value)
    } else if (Array.isArray(container) && typeof key === 'number' && key >= 0 && key < container.length) {
      container[key] = value
    }
  }

  /** A reference's value, or undefined when any part of it has none. */
  #resolve(id: string, path: readonly NonNullable<ReferenceNode['path']>[number][], source: Source): Value {
    let current = this.#lookup(id)
    for (const step of path) {
      this.#step()
      const value = this.#valueOf(current, source)
      if (value === undefined || value === null) return undefined
      if (step.type === 'property') current = readProperty(value, step.id as string)
      else if (step.type === 'method') {
        const args = step.args ? this.#arguments(step.args, source) : NO_ARGS
        try {
          current = callMethod(value, step.id as string, args)
        } catch (error) {
          if (error instanceof MethodFailure) throw new TemplateError(error.message)
          throw error
        }
      } else {
        const index = this.#valueOf(this.#evaluate(step.id as Expression, source), source)
        if (Array.isArray(value) && typeof index === 'number')
          current = value[index < 0 ? value.length + index : index]
        else if (value instanceof Map && index !== undefined && index !== null) {
          const key = javaString(index)
          current = value.get(key)
        } else current = undefined
      }
    }
    return current
  }

  #arguments(expressions: readonly Expression[], source: Source): TemplateValue[] {
    const args: TemplateValue[] = new Array<TemplateValue>(expressions.length)
    for (let i = 0; i < expressions.length; i++)
      args[i] = this.#valueOf(this.#evaluate(expressions[i] as Expression, source), source) ?? null
    return args
  }

  #referenceText(node: ReferenceNode, source: Source): string {
    const value = this.#resolve(node.id, node.path ?? [], source)
    if (value instanceof DefinedBlock) return this.#renderDefined(value)
    // API Gateway prints a null or undefined reference as nothing, where plain Velocity prints the
    // reference as written (a difference users report, e.g. toqoz/api-gateway-mapping-template#5,
    // and LocalStack's engine reproduces): `"$input.path('$.missing')"` gives `""`.
    if (value === undefined || value === null || isHost(value)) return ''
    return javaString(value)
  }

  #renderDefined(block: DefinedBlock): string {
    const outer = this.#out
    const outerSize = this.#size
    this.#out = ''
    try {
      this.#renderNodes(block.nodes, block.source)
      return this.#out
    } finally {
      this.#out = outer
      this.#size = outerSize
    }
  }

  #valueOf(value: Value, _source: Source): TemplateValue | undefined {
    if (typeof value !== 'object' || value === null) return value
    if (value instanceof DefinedBlock) return this.#renderDefined(value)
    return value
  }

  #evaluate(expression: Expression, source: Source): Value {
    this.#step()
    switch (expression.type) {
      case 'references':
        return this.#resolve(expression.id, expression.path ?? [], source)
      case 'integer':
        return Number(expression.value)
      case 'decimal':
        return new JavaDouble(Number(expression.value))
      case 'bool':
        return expression.value === 'true'
      case 'string':
        return expression.isEval ? this.#interpolate(expression.value) : expression.value
      case 'array':
        if (expression.isRange) return this.#range(expression.value, source)
        return expression.value.map((item) =>
          typeof item === 'string' ? item : (this.#valueOf(this.#evaluate(item, source), source) ?? null),
        )
      case 'map': {
        const map = new Map<string, TemplateValue>()
        const entries = expression.value ?? {}
        for (const key of Object.keys(entries)) {
          const item = entries[key] as Expression
          map.set(key, this.#valueOf(this.#evaluate(item, source), source) ?? null)
        }
        return map
      }
      case 'math':
        return this.#math(expression.operator, expression.expression, source)
    }
  }

  #interpolate(text: string): string {
    if (!text.includes('$') && !text.includes('#')) return text
    const nested = this.#parseNested(text)
    const outer = this.#out
    const outerSize = this.#size
    this.#out = ''
    try {
      this.#renderNodes(nested.ast, nested.source)
      return this.#out
    } finally {
      this.#out = outer
      this.#size = outerSize
    }
  }

  #range(bounds: (Expression | string)[], source: Source): TemplateValue[] {
    const [from, to] = bounds.map((b) =>
      typeof b === 'string'
        ? Number(b)
        : numericValue(this.#valueOf(this.#evaluate(b, source), source) ?? null),
    )
    if (from === undefined || to === undefined || !Number.isFinite(from) || !Number.isFinite(to)) return []
    const length = Math.abs(to - from) + 1
    if (length > this.#budgets.maxLoopIterations * 10)
      throw new TemplateBudgetError('range exceeds its size limit')
    const step = from <= to ? 1 : -1
    return Array.from({ length }, (_, i) => from + i * step)
  }

  #math(operator: string, operands: Expression[], source: Source): TemplateValue | undefined {
    const operand = (i: number): TemplateValue | undefined => {
      const node = operands[i]
      return node === undefined ? undefined : this.#valueOf(this.#evaluate(node, source), source)
    }
    switch (operator) {
      case '&&':
        return isTruthy(operand(0)) && isTruthy(operand(1))
      case '||':
        return isTruthy(operand(0)) || isTruthy(operand(1))
      case 'not':
      case '!':
        return !isTruthy(operand(0))
      case '==':
        return velocityEquals(operand(0), operand(1))
      case '!=':
        return !velocityEquals(operand(0), operand(1))
      case 'minus': {
        const n = operand(0)
        return n instanceof JavaDouble ? new JavaDouble(-n.value) : typeof n === 'number' ? -n : null
      }
      default:
        return arithmetic(operator, operand(0), operand(1))
    }
  }
}

/**
 * `$foreach` (Velocity 1.7's loop scope): one object per loop, moved on as the loop goes, as
 * Velocity's ForeachScope is (a reference kept past an iteration sees the later index).
 */
class ForeachState implements HostObject {
  readonly kind = 'host'
  index = 0
  hasNext = false

  property(name: string): TemplateValue | undefined {
    switch (name) {
      case 'index':
        return this.index
      case 'count':
        return this.index + 1
      case 'hasNext':
        return this.hasNext
      case 'first':
        return this.index === 0
      case 'last':
        return !this.hasNext
      default:
        return undefined
    }
  }

  call(name: string): TemplateValue | undefined {
    if (name === 'hasNext') return this.hasNext
    const bean = /^(?:get|is|has)(\w+)$/.exec(name)
    return bean?.[1] ? this.property(bean[1].charAt(0).toLowerCase() + bean[1].slice(1)) : undefined
  }
}

type Head<T extends Directive['type']> = Extract<Directive, { type: T }>

/** One branch of an `#if`: its condition (none for `#else`) and what it renders. */
interface IfBranch {
  readonly condition: Expression | undefined
  readonly nodes: AstNode[]
}

/** A block taken apart: its opening directive and body, an `#if` split into its branches. */
type BlockShape =
  | { kind: 'if'; branches: IfBranch[] }
  | { kind: 'foreach'; head: Head<'foreach'>; body: AstNode[] }
  | { kind: 'define'; head: Head<'define'>; body: AstNode[] }
  | { kind: 'macro'; head: Head<'macro'>; body: AstNode[] }
  | { kind: 'nodes' }

/**
 * Each block's shape, worked out on its first render: the AST is parsed once per deployment and
 * shared by every render, and splitting a block on each pass allocated per loop iteration.
 */
const shapes = new WeakMap<AstNode[], BlockShape>()

function blockShape(block: AstNode[]): BlockShape {
  let shape = shapes.get(block)
  if (shape === undefined) {
    shape = shapeOf(block)
    shapes.set(block, shape)
  }
  return shape
}

function shapeOf(block: AstNode[]): BlockShape {
  const [head, ...body] = block
  if (head === undefined || typeof head === 'string' || Array.isArray(head)) return { kind: 'nodes' }
  switch (head.type) {
    case 'if': {
      const branches: { condition: Expression | undefined; nodes: AstNode[] }[] = [
        { condition: head.condition, nodes: [] },
      ]
      for (const child of body) {
        if (typeof child === 'object' && !Array.isArray(child) && child.type === 'elseif')
          branches.push({ condition: child.condition, nodes: [] })
        else if (typeof child === 'object' && !Array.isArray(child) && child.type === 'else')
          branches.push({ condition: undefined, nodes: [] })
        else branches[branches.length - 1]?.nodes.push(child)
      }
      return { kind: 'if', branches }
    }
    case 'foreach':
      return { kind: 'foreach', head, body }
    case 'define':
      return { kind: 'define', head, body }
    case 'macro':
      return { kind: 'macro', head, body }
    default:
      return { kind: 'nodes' }
  }
}

/** Velocity 1.7's `==`: numbers by value, same kinds by equals, else by their string forms. */
function velocityEquals(a: TemplateValue | undefined, b: TemplateValue | undefined): boolean {
  const left = a ?? null
  const right = b ?? null
  if (left === null || right === null) return left === right
  if (typeof left !== typeof right && numericValue(left) === undefined)
    return javaString(left) === javaString(right)
  return javaEquals(left, right)
}

function arithmetic(
  operator: string,
  a: TemplateValue | undefined,
  b: TemplateValue | undefined,
): TemplateValue | undefined {
  if (a === undefined || a === null || b === undefined || b === null) return null
  if (operator === '+' && (typeof a === 'string' || typeof b === 'string'))
    return javaString(a) + javaString(b)
  const x = numericValue(a)
  const y = numericValue(b)
  if (x === undefined || y === undefined) {
    if (['>', '<', '>=', '<='].includes(operator)) return false
    return null
  }
  const isDouble = a instanceof JavaDouble || b instanceof JavaDouble
  const wrap = (n: number): TemplateValue => (isDouble ? new JavaDouble(n) : n)
  switch (operator) {
    case '+':
      return wrap(x + y)
    case '-':
      return wrap(x - y)
    case '*':
      return wrap(x * y)
    case '/':
      if (y === 0) return null
      return isDouble ? new JavaDouble(x / y) : Math.trunc(x / y)
    case '%':
      if (y === 0) return null
      return wrap(x % y)
    case '>':
      return x > y
    case '<':
      return x < y
    case '>=':
      return x >= y
    case '<=':
      return x <= y
    default:
      return null
  }
}
