import { configDefaults, defineConfig } from 'vitest/config'

/**
 * Suites that hold the gateway's event loop to a 50 ms bound while they inject faults, or offer a
 * fixed load that must meet no error: they run
 * after the others, one file at a time (vitest.serial.config.ts), so another suite's load on this
 * 2-core machine is not mistaken for a blocked loop.
 */
export const SERIAL_SUITES = [
  'test/reliability/lambda-faults.test.ts',
  'test/reliability/parallel-large-bodies.test.ts',
  'test/reliability/disk-full.test.ts',
  'test/reliability/load-held.test.ts',
  'test/reliability/faulty-backends.test.ts',
]

/** What every run shares. */
export const COMMON = {
  testTimeout: 30_000,
  hookTimeout: 60_000,
  pool: 'forks' as const,
  reporters: ['default'],
}

export default defineConfig({
  test: {
    ...COMMON,
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...SERIAL_SUITES],
  },
})
