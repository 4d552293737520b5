import { readFileSync } from 'node:fs'
import { expect } from 'vitest'
import type { TestGateway } from './gateway.js'

interface ParityFile {
  source: string
  errors: Record<string, { code: string; message: string }>
  shapes: Record<string, unknown>
}

/**
 * Expected values recorded against real AWS (copied from LocalStack's AWS snapshot recordings
 * into test/parity/controlplane/; each file names its source). Keys are `<test>/<step>`.
 */
export function parity(family: string): ParityFile {
  return JSON.parse(
    readFileSync(new URL(`../parity/controlplane/${family}.json`, import.meta.url), 'utf8'),
  ) as ParityFile
}

/** The recorded error of a step, with the step name in the failure message if it is missing. */
export function recordedError(file: ParityFile, key: string): { code: string; message: string } {
  const entry = file.errors[key]
  if (!entry) throw new Error(`no recorded error ${key} in ${file.source}`)
  return entry
}

/** Asserts that an SDK call failed with AWS's recorded error type and message. */
export async function expectAwsError(
  call: Promise<unknown>,
  expected: { code: string; message: string },
): Promise<void> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } },
  )
  expect(error, `expected ${expected.code}: ${expected.message}`).toBeDefined()
  expect({ name: error?.name, message: error?.message }).toEqual({
    name: expected.code,
    message: expected.message,
  })
}

/** Reads an API's stored document, to check that a failed call changed nothing. */
export function storedApi(tg: TestGateway, apiId: string): Promise<unknown> {
  return tg.gateway.store.read((r) => r.get('restapi', '', apiId))
}
