import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { compileTemplate } from '../../../../src/dataplane/mapping/velocity/index.js'

interface GoldenCase {
  name: string
  source: string
  template: string
  input: {
    body: string
    path: Record<string, string>
    querystring: Record<string, string>
    header: Record<string, string>
  }
  stageVariables: Record<string, string>
  context: Record<string, unknown>
  expected: string
}

// The golden table is data (test/parity/velocity/cases.json): add a case there, no code needed.
const { cases } = JSON.parse(
  readFileSync(new URL('../../../parity/velocity/cases.json', import.meta.url), 'utf8'),
) as { cases: GoldenCase[] }

describe('mapping template golden cases', () => {
  it('has at least 80 cases, each with a source', () => {
    expect(cases.length).toBeGreaterThanOrEqual(80)
    for (const c of cases) expect(c.source, c.name).not.toBe('')
  })
  for (const c of cases) {
    it(`${c.name} (${c.source})`, () => {
      const output = compileTemplate(c.template).render({
        input: c.input,
        context: c.context,
        stageVariables: c.stageVariables,
      }).output
      expect(output).toBe(c.expected)
    })
  }
})
