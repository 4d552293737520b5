import { ApiError } from './api-error.js'

/**
 * Collects the constraint violations AWS reports together in one ValidationException, worded as
 * AWS words them, e.g. "2 validation errors detected: Value 'wrong' at
 * 'createRestApiInput.endpointConfiguration.ipAddressType' failed to satisfy constraint: Member
 * must satisfy enum value set: [ipv4, dualstack]; ..." (recorded in
 * test/parity/controlplane/*.json).
 */
export class ValidationErrors {
  readonly #messages: string[] = []

  /** Records a violation when `value` is set and not one of `allowed`. */
  enumValue(value: unknown, path: string, allowed: readonly string[]): void {
    if (value === undefined || value === null) return
    if (typeof value === 'string' && allowed.includes(value)) return
    this.#messages.push(
      `Value '${describe(value)}' at '${path}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`,
    )
  }

  /** Records a violation when some member of a list is not one of `allowed`. */
  enumList(values: readonly unknown[] | undefined, path: string, allowed: readonly string[]): void {
    if (!values || values.every((v) => typeof v === 'string' && allowed.includes(v))) return
    this.#messages.push(
      `Value '[${values.map(describe).join(', ')}]' at '${path}' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [${allowed.join(', ')}]]`,
    )
  }

  pattern(value: string | undefined, path: string, pattern: string): void {
    if (value === undefined || new RegExp(`^(?:${pattern})$`).test(value)) return
    this.#messages.push(
      `Value '${value}' at '${path}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${pattern}`,
    )
  }

  add(message: string): void {
    this.#messages.push(message)
  }

  throwIfAny(): void {
    const count = this.#messages.length
    if (count === 0) return
    const noun = count === 1 ? 'validation error' : 'validation errors'
    throw new ApiError('ValidationException', `${count} ${noun} detected: ${this.#messages.join('; ')}`)
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** Throws a ValidationException for one enum field right away. */
export function checkEnum<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  const errors = new ValidationErrors()
  errors.enumValue(value, path, allowed)
  errors.throwIfAny()
  return value as T
}
