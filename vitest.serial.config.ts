import { defineConfig } from 'vitest/config'
import { COMMON, SERIAL_SUITES } from './vitest.config.js'

/** The fault suites with event-loop bounds, one file at a time after the rest (`npm test`). */
export default defineConfig({
  test: { ...COMMON, include: SERIAL_SUITES, fileParallelism: false },
})
