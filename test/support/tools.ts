import { accessSync, constants } from 'node:fs'

/** The Debian awscli v2 (another, older `aws` may come first on PATH: always use this path). */
export const AWS_CLI = '/usr/bin/aws'

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/**
 * Whether the tests that need an external tool should be skipped. On a developer's laptop a
 * missing tool skips them with a printed reason; under CI=true a missing tool fails the run
 * instead (CI must never skip: .ci/run installs what the tests need).
 */
export function skipUnlessTool(name: string, path: string, install: string): boolean {
  if (isExecutable(path)) return false
  const reason = `${name} not found at ${path} (install: ${install})`
  if (process.env['CI'] === 'true') throw new Error(`CI must not skip: ${reason}`)
  console.warn(`skipping tests that need ${reason}`)
  return true
}
