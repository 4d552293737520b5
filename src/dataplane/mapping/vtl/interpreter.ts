/**
 * Our Velocity interpreter: walks the syntax tree from `parse.ts` over template values. Every
 * member access goes through `members.ts` and its allowlists (`scalar-methods.ts`,
 * `collection-methods.ts`, `builtins.ts`); nothing reads or calls a JS property named by a
 * template. Every render runs under `TemplateBudgets`.
 */
import type { Expression, Node, Program, Reference, Step } from './ast.js'
import { DefineBlock, ForeachScope } from './builtins.js'
import { TemplateBudgetError, TemplateError, type TemplateBudgets } from './errors.js'
import { javaToString } from './java-text.js'
import { applyOperator, integerRange, isTruthy, velocityEquals } from './operators.js'
import { callMethod, readIndex, readProperty } from './members.js'
import { NO_SUCH_METHOD } from './scalar-methods.js'
import { intArg, VtlList, VtlMap, type Runtime, type TemplateValue } from './values.js'

/** How a reference that is null or undefined renders (see `CompileOptions.undefinedReferences`). */
export type UndefinedReferences = 'empty' | 'literal'

/** How rendering continues after a node: on, out of the loop or macro (`#break`), or to the end (`#stop`). */
type Flow = 'normal' | 'break' | 'stop'

/** Text written by a render (or by one interpolated string), bounded by the output limit. */
class Output {
  readonly parts: string[] = []
  length = 0
  constructor(readonly limit: number) {}

  write(text: string): void {
    this.length += text.length
    if (this.length > this.limit)
      throw new TemplateBudgetError('outputLength', `Output exceeds ${this.limit} characters`)
    this.parts.push(text)
  }
}

/** One render of a program. Not reusable: create one per request. */
export class Interpreter implements Runtime {
  #steps = 0
  #depth = 0 // nested macro calls and #define renders
  readonly #frames: Map<string, TemplateValue>[] = []
  #output: Output

  constructor(
    readonly program: Program,
    readonly variables: Map<string, TemplateValue>,
    readonly budgets: TemplateBudgets,
    readonly undefinedReferences: UndefinedReferences,
  ) {
    this.#output = new Output(budgets.maxOutputLength)
  }

  /** Renders the template and returns its output. */
  run(): string {
    this.#render(this.program.body)
    return this.#output.parts.join('')
  }

  charge(steps: number): void {
    this.#steps += steps
    if (this.#steps > this.budgets.maxSteps) {
      throw new TemplateBudgetError('steps', `Template exceeded ${this.budgets.maxSteps} evaluation steps`)
    }
  }

  chargeChars(length: number): void {
    if (length >= 64) this.charge(length >>> 6)
  }

  checkString(text: string): string {
    if (text.length > this.budgets.maxOutputLength) {
      throw new TemplateBudgetError(
        'outputLength',
        `A string exceeds ${this.budgets.maxOutputLength} characters`,
      )
    }
    return text
  }

  stringify(value: TemplateValue): string {
    return javaToString(value, this, this.budgets.maxOutputLength)
  }

  #render(nodes: readonly Node[]): Flow {
    for (const node of nodes) {
      this.charge(1)
      const flow = this.#node(node)
      if (flow !== 'normal') return flow
    }
    return 'normal'
  }

  #node(node: Node): Flow {
    switch (node.kind) {
      case 'text':
        this.chargeChars(node.text.length)
        this.#output.write(node.text)
        return 'normal'
      case 'reference': {
        const value = this.#reference(node.ref)
        if (value !== null) this.#output.write(this.stringify(value))
        else if (!node.ref.quiet && this.undefinedReferences === 'literal')
          this.#output.write(node.ref.literal)
        return 'normal'
      }
      case 'set': {
        // Velocity 1.7 (directive.set.null.allowed=false): a null right-hand side leaves the target as it was.
        const value = this.#expression(node.value)
        if (value !== null) this.#assign(node.target, value)
        return 'normal'
      }
      case 'if':
        for (const branch of node.branches) {
          if (isTruthy(this.#expression(branch.condition))) return this.#render(branch.body)
        }
        return this.#render(node.otherwise)
      case 'foreach':
        return this.#foreach(node.variable, this.#expression(node.source), node.body)
      case 'define': {
        const body = node.body
        this.#setVariable(node.name, new DefineBlock(() => this.#nested(() => this.#capture(body))))
        return 'normal'
      }
      case 'call':
        return this.#call(node.name, node.args, node.literal)
      case 'break':
        return 'break'
      case 'stop':
        return 'stop'
    }
  }

  /** Renders nodes into a string of their own (interpolated strings, `#define` blocks). */
  #capture(nodes: readonly Node[]): string {
    const outer = this.#output
    this.#output = new Output(this.budgets.maxOutputLength)
    try {
      this.#render(nodes)
      return this.#output.parts.join('')
    } finally {
      this.#output = outer
    }
  }

  /** Runs `work` one macro/define level deeper, within the depth budget. */
  #nested<T>(work: () => T): T {
    if (this.#depth >= this.budgets.maxMacroDepth) {
      throw new TemplateBudgetError(
        'macroDepth',
        `Macros nested deeper than ${this.budgets.maxMacroDepth} levels`,
      )
    }
    this.#depth++
    try {
      return work()
    } finally {
      this.#depth--
    }
  }

  #call(name: string, argExpressions: readonly Expression[], literal: string): Flow {
    const macro = this.program.macros.get(name)
    // An unknown directive or macro (including #evaluate, #include, #parse) prints as written.
    if (!macro) {
      this.#output.write(literal)
      return 'normal'
    }
    const args = argExpressions.map((arg) => this.#expression(arg))
    const frame = new Map<string, TemplateValue>()
    macro.params.forEach((param, i) => frame.set(param, args[i] ?? null))
    return this.#nested(() => {
      this.#frames.push(frame)
      try {
        const flow = this.#render(macro.body)
        return flow === 'stop' ? 'stop' : 'normal'
      } finally {
        this.#frames.pop()
      }
    })
  }

  #foreach(variable: string, source: TemplateValue, body: readonly Node[]): Flow {
    const collection = source instanceof VtlList ? source : source instanceof VtlMap ? source : undefined
    // Velocity iterates a map's values; anything else that is not a collection is skipped.
    if (!collection) return 'normal'
    const items = collection instanceof VtlList ? collection.items : [...collection.entries.values()]
    const version = collection.version
    const saved = ['foreach', 'velocityCount', 'velocityHasNext', variable].map(
      (name) => [name, this.variables.get(name)] as const,
    )
    const parent = this.variables.get('foreach')
    const scope = new ForeachScope(parent instanceof ForeachScope ? parent : null)
    let flow: Flow = 'normal'
    try {
      for (let i = 0; i < items.length; i++) {
        if (i >= this.budgets.maxLoopIterations) {
          throw new TemplateBudgetError(
            'loopIterations',
            `#foreach exceeded ${this.budgets.maxLoopIterations} iterations`,
          )
        }
        if (collection.version !== version)
          throw new TemplateError('runtime', 'java.util.ConcurrentModificationException')
        this.charge(1)
        scope.index = i
        scope.hasNext = i + 1 < items.length
        this.#setVariable(variable, items[i] ?? null)
        this.variables.set('foreach', scope)
        this.variables.set('velocityCount', BigInt(i + 1))
        this.variables.set('velocityHasNext', scope.hasNext)
        flow = this.#render(body)
        if (flow !== 'normal') break
      }
    } finally {
      for (const [name, value] of saved) {
        if (value === undefined) this.variables.delete(name)
        else this.variables.set(name, value)
      }
    }
    return flow === 'stop' ? 'stop' : 'normal'
  }

  #lookup(name: string): TemplateValue {
    for (let i = this.#frames.length - 1; i >= 0; i--) {
      const frame = this.#frames[i]
      if (frame?.has(name)) return frame.get(name) ?? null
    }
    return this.variables.get(name) ?? null
  }

  #setVariable(name: string, value: TemplateValue): void {
    for (let i = this.#frames.length - 1; i >= 0; i--) {
      const frame = this.#frames[i]
      if (frame?.has(name)) {
        frame.set(name, value)
        return
      }
    }
    this.variables.set(name, value)
  }

  #reference(ref: Reference, steps: readonly Step[] = ref.steps): TemplateValue {
    let value = this.#lookup(ref.root)
    for (const step of steps) {
      if (value === null) return null
      this.charge(1)
      value = this.#step(value, step)
    }
    return value
  }

  #step(target: TemplateValue, step: Step): TemplateValue {
    switch (step.kind) {
      case 'property':
        return readProperty(target, step.name, this)
      case 'index':
        return readIndex(target, this.#expression(step.index), this)
      case 'method': {
        const args = step.args.map((arg) => this.#expression(arg))
        const result = callMethod(target, step.name, args, this)
        return result === NO_SUCH_METHOD ? null : result
      }
    }
  }

  #assign(target: Reference, value: TemplateValue): void {
    const last = target.steps.at(-1)
    if (!last) {
      this.#setVariable(target.root, value)
      return
    }
    const owner = this.#reference(target, target.steps.slice(0, -1))
    if (last.kind === 'property' && owner instanceof VtlMap) owner.put(last.name, value)
    else if (last.kind === 'index' && (owner instanceof VtlMap || owner instanceof VtlList)) {
      const index = this.#expression(last.index)
      if (owner instanceof VtlMap) owner.put(typeof index === 'string' ? index : this.stringify(index), value)
      else {
        const i = intArg(index)
        if (i === undefined || i < 0 || i >= owner.items.length) {
          throw new TemplateError(
            'runtime',
            `java.lang.IndexOutOfBoundsException: Index: ${this.stringify(index)}`,
          )
        }
        owner.items[i] = value
      }
    }
    // Anything else (a host object, a string, a null owner) cannot be set; Velocity logs and moves on.
  }

  #expression(expression: Expression): TemplateValue {
    this.charge(1)
    switch (expression.kind) {
      case 'literal':
        return expression.value
      case 'interpolated':
        return this.checkString(this.#capture(expression.body))
      case 'reference':
        return this.#reference(expression.ref)
      case 'list':
        return new VtlList(expression.items.map((item) => this.#expression(item)))
      case 'map': {
        const map = new VtlMap()
        for (const [key, item] of expression.entries) map.put(key, this.#expression(item))
        return map
      }
      case 'range':
        return integerRange(
          this.#expression(expression.from),
          this.#expression(expression.to),
          this,
          this.budgets.maxSteps,
        )
      case 'not':
        return !isTruthy(this.#expression(expression.operand))
      case 'binary': {
        const { operator, left, right } = expression
        if (operator === '&&') return isTruthy(this.#expression(left)) && isTruthy(this.#expression(right))
        if (operator === '||') return isTruthy(this.#expression(left)) || isTruthy(this.#expression(right))
        const a = this.#expression(left)
        const b = this.#expression(right)
        if (operator === '==' || operator === '!=') return velocityEquals(a, b, this) === (operator === '==')
        return applyOperator(
          operator,
          a,
          b,
          this,
          () => sourceText(left),
          () => sourceText(right),
        )
      }
    }
  }
}

/** What a null operand contributes to `"text" + $missing`: Velocity uses the reference as written. */
function sourceText(expression: Expression): string {
  return expression.kind === 'reference' ? expression.ref.literal : 'null'
}
