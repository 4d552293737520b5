import { badRequest } from './api-error.js'
import type { Input } from './input.js'
import { ValidationErrors } from './validation.js'

export const PATCH_OPS = ['add', 'remove', 'move', 'test', 'replace', 'copy'] as const
export type PatchOp = (typeof PATCH_OPS)[number]

/** One member of `patchOperations` (RFC 6902 in AWS's restricted form: values are strings). */
export interface PatchOperation {
  op: PatchOp
  path: string
  value?: string
  from?: string
}

/**
 * Reads and checks `patchOperations`. Unknown ops are reported together, as AWS does:
 * "Value 'wrong' at 'updateRestApiInput.patchOperations.1.member.op' failed to satisfy
 * constraint: ..." (test_apigateway_api.snapshot.json, update-rest-api-wrong-operations-*).
 * `inputName` is AWS's input shape name, e.g. `updateRestApiInput`.
 */
export function readPatchOperations(body: Input, inputName: string): PatchOperation[] {
  const raw = body.raw['patchOperations']
  if (raw === undefined || raw === null) return []
  if (!Array.isArray(raw)) throw badRequest('Invalid patch operations: expected a list')
  const errors = new ValidationErrors()
  const operations: PatchOperation[] = []
  let isPathMissing = false
  raw.forEach((item, index) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw badRequest('Invalid patch operations: each operation must be an object')
    }
    const op = item['op']
    errors.enumValue(op, `${inputName}.patchOperations.${index + 1}.member.op`, PATCH_OPS)
    const path = item['path']
    const value = item['value']
    const from = item['from']
    operations.push({
      op: op as PatchOp,
      path: typeof path === 'string' ? path : '',
      ...(value !== undefined && value !== null
        ? { value: typeof value === 'string' ? value : JSON.stringify(value) }
        : {}),
      ...(typeof from === 'string' ? { from } : {}),
    })
    if (path === undefined || path === null) isPathMissing = true
  })
  errors.throwIfAny()
  // Recorded (test_update_gateway_response "update-gateway-no-path"): a BadRequestException, after
  // the op enum check, not one of the ValidationException's constraint violations.
  if (isPathMissing) throw badRequest('Invalid patch path null')
  return operations
}

/** Splits a patch path into its segments, undoing JSON Pointer escapes (`~1` is `/`, `~0` is `~`). */
export function patchPathSegments(path: string): string[] {
  return path
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
}

/** "Invalid patch path  '/x' specified for op 'replace'. Must be one of: [/a, /b]" (two spaces, as AWS). */
export function invalidPatchPath(op: PatchOperation, allowed: readonly string[]): Error {
  return badRequest(
    `Invalid patch path  '${op.path}' specified for op '${op.op}'. Must be one of: [${allowed.join(', ')}]`,
  )
}

/** "Invalid patch path  '/x' specified for op 'add'. Please choose supported operations" */
export function unsupportedPatchOp(op: PatchOperation): Error {
  return badRequest(
    `Invalid patch path  '${op.path}' specified for op '${op.op}'. Please choose supported operations`,
  )
}

/** "Invalid patch operation specified. Must be one of: [replace]" */
export function invalidPatchOperation(allowed: readonly PatchOp[]): Error {
  return badRequest(`Invalid patch operation specified. Must be one of: [${allowed.join(', ')}]`)
}

/** Parses a patch value meant as a boolean ("true" / "false"). */
export function patchBoolean(op: PatchOperation): boolean {
  if (op.value === 'true' || op.value === 'false') return op.value === 'true'
  throw badRequest(`Invalid value for boolean field ${op.path}: ${op.value ?? 'null'}`)
}
