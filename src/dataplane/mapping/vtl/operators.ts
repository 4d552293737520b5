/**
 * Velocity 1.7's operators (`ASTAddNode`, `ASTEQNode`, `MathUtils`...), which AWS's templates run
 * with:
 * - integers use exact integer arithmetic (Velocity widens `Integer` to `Long` to `BigInteger`
 *   instead of overflowing); `/` on integers truncates, `%` takes the dividend's sign; an integer
 *   and a double give a double;
 * - division or remainder by zero, and arithmetic on a non-number, give null;
 * - `+` with a string operand concatenates;
 * - `==` compares numbers by value, values of one class with `equals`, and anything else by
 *   their `toString()` (so `1 == "1"` is true);
 * - `<`, `<=`, `>`, `>=` compare numbers only; anything else is false;
 * - a condition is false for null and `false`, true for anything else (1.7 has no empty check).
 */
import type { BinaryOperator } from './ast.js'
import { TemplateBudgetError } from './errors.js'
import { javaEquals } from './java-text.js'
import {
  HostObject,
  isNumber,
  MapEntry,
  VtlList,
  VtlMap,
  type Runtime,
  type TemplateValue,
} from './values.js'

/** Velocity's truth of a condition. */
export function isTruthy(value: TemplateValue): boolean {
  return value !== null && value !== false
}

function sameClass(a: TemplateValue, b: TemplateValue): boolean {
  if (typeof a !== typeof b) return false
  if (a instanceof VtlList && b instanceof VtlList)
    return a.jsonStyle === b.jsonStyle && a.fixedSize === b.fixedSize
  if (a instanceof VtlMap) return b instanceof VtlMap
  if (a instanceof MapEntry) return b instanceof MapEntry
  if (a instanceof HostObject && b instanceof HostObject) return a.constructor === b.constructor
  return typeof a !== 'object'
}

/** Velocity's `==`. */
export function velocityEquals(a: TemplateValue, b: TemplateValue, rt: Runtime): boolean {
  if (isNumber(a) && isNumber(b)) return compareNumbers(a, b) === 0
  if (a === null || b === null) return a === b
  if (sameClass(a, b)) return javaEquals(a, b)
  return rt.stringify(a) === rt.stringify(b)
}

function compareNumbers(a: bigint | number, b: bigint | number): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0
  const x = Number(a)
  const y = Number(b)
  return x < y ? -1 : x > y ? 1 : x === y ? 0 : NaN
}

/** Integers stay exact (Velocity widens to BigInteger) but not unbounded: repeated squaring would not end. */
const INTEGER_LIMIT = 1n << 1024n

function bounded(value: bigint): bigint {
  if (value > INTEGER_LIMIT || value < -INTEGER_LIMIT) {
    throw new TemplateBudgetError('steps', 'An integer grew beyond 1024 bits')
  }
  return value
}

function arithmetic(
  operator: '+' | '-' | '*' | '/' | '%',
  a: bigint | number,
  b: bigint | number,
): TemplateValue {
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    switch (operator) {
      case '+':
        return bounded(a + b)
      case '-':
        return bounded(a - b)
      case '*':
        return bounded(a * b)
      case '/':
        return b === 0n ? null : a / b
      case '%':
        return b === 0n ? null : a % b
    }
  }
  const x = Number(a)
  const y = Number(b)
  switch (operator) {
    case '+':
      return x + y
    case '-':
      return x - y
    case '*':
      return x * y
    case '/':
      return y === 0 ? null : x / y
    case '%':
      return y === 0 ? null : x % y
  }
}

/**
 * A binary operator other than `&&` / `||` (which short-circuit in the interpreter). `leftText` /
 * `rightText` are what a null operand contributes to a string concatenation (its source text).
 */
export function applyOperator(
  operator: Exclude<BinaryOperator, '&&' | '||'>,
  a: TemplateValue,
  b: TemplateValue,
  rt: Runtime,
  leftText: () => string,
  rightText: () => string,
): TemplateValue {
  switch (operator) {
    case '==':
      return velocityEquals(a, b, rt)
    case '!=':
      return !velocityEquals(a, b, rt)
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if (!isNumber(a) || !isNumber(b)) return false
      const order = compareNumbers(a, b)
      if (Number.isNaN(order)) return false
      return operator === '<'
        ? order < 0
        : operator === '<='
          ? order <= 0
          : operator === '>'
            ? order > 0
            : order >= 0
    }
    case '+':
      if (typeof a === 'string' || typeof b === 'string') {
        const left = a === null ? leftText() : rt.stringify(a)
        const right = b === null ? rightText() : rt.stringify(b)
        return rt.checkString(left + right)
      }
      return isNumber(a) && isNumber(b) ? arithmetic('+', a, b) : null
    case '-':
    case '*':
    case '/':
    case '%':
      return isNumber(a) && isNumber(b) ? arithmetic(operator, a, b) : null
  }
}

/** `[a..b]`: the integers from a to b, counting down when b < a; null unless both are integers. */
export function integerRange(
  from: TemplateValue,
  to: TemplateValue,
  rt: Runtime,
  maxSize: number,
): TemplateValue {
  if (typeof from !== 'bigint' || typeof to !== 'bigint') return null
  const size = (to >= from ? to - from : from - to) + 1n
  // Checked before building: a range is a list in memory (Java builds it too).
  if (size > BigInt(maxSize)) throw new TemplateBudgetError('steps', `Range [${from}..${to}] is too large`)
  rt.charge(Number(size))
  const step = to >= from ? 1n : -1n
  const items: TemplateValue[] = []
  for (let i = from; step > 0n ? i <= to : i >= to; i += step) items.push(i)
  return new VtlList(items)
}
