import type { TemplateValue } from './values.js'

type Step =
  | { kind: 'child'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' }
  | { kind: 'descendant'; name: string }
  | { kind: 'slice'; start: number | undefined; end: number | undefined }

/**
 * JSONPath for `$input.path` / `$input.json`, the subset AWS's examples and users rely on
 * (Jayway JsonPath semantics): `$`, `.name`, `['name']`, `[0]`, `[-1]`, `[*]`, `.*`, `..name`,
 * `[1:3]`. A definite path gives the value (or null); a path with a wildcard, a slice or `..`
 * gives the list of matches. Written by hand because the library choices evaluate filter
 * expressions as code; this one has no expressions at all. Filters `[?(...)]` are not supported
 * (the path then selects nothing).
 */
export function selectJsonPath(root: TemplateValue, path: string): TemplateValue {
  const steps = parsePath(path.trim())
  if (steps === undefined) return null
  let current: TemplateValue[] = [root]
  let definite = true
  for (const step of steps) {
    const next: TemplateValue[] = []
    for (const value of current) applyStep(value, step, next)
    if (step.kind !== 'child' && step.kind !== 'index') definite = false
    current = next
  }
  if (definite) return current[0] ?? null
  return current
}

function applyStep(value: TemplateValue, step: Step, out: TemplateValue[]): void {
  switch (step.kind) {
    case 'child':
      if (value instanceof Map && value.has(step.name)) out.push(value.get(step.name) ?? null)
      return
    case 'index':
      if (Array.isArray(value)) {
        const i = step.index < 0 ? value.length + step.index : step.index
        if (i >= 0 && i < value.length) out.push(value[i] ?? null)
      }
      return
    case 'wildcard':
      if (Array.isArray(value)) out.push(...value)
      else if (value instanceof Map) out.push(...value.values())
      return
    case 'slice':
      if (Array.isArray(value)) out.push(...value.slice(step.start, step.end))
      return
    case 'descendant': {
      const visit = (node: TemplateValue): void => {
        if (node instanceof Map) {
          for (const [key, child] of node) {
            if (step.name === '*' || key === step.name) out.push(child)
            visit(child)
          }
        } else if (Array.isArray(node)) {
          for (const child of node) {
            if (step.name === '*') out.push(child)
            visit(child)
          }
        }
      }
      visit(value)
      return
    }
  }
}

function parsePath(path: string): Step[] | undefined {
  if (!path.startsWith('$')) return undefined
  const steps: Step[] = []
  let i = 1
  while (i < path.length) {
    const rest = path.slice(i)
    let m: RegExpExecArray | null
    if ((m = /^\.\.([A-Za-z0-9_$-]+|\*)/.exec(rest))) {
      steps.push({ kind: 'descendant', name: m[1] ?? '*' })
    } else if ((m = /^\.\*/.exec(rest)) || (m = /^\[\*\]/.exec(rest))) {
      steps.push({ kind: 'wildcard' })
    } else if ((m = /^\.([^.[\]\s]+)/.exec(rest))) {
      steps.push({ kind: 'child', name: m[1] ?? '' })
    } else if (
      (m = /^\[\s*'((?:[^'\\]|\\.)*)'\s*\]/.exec(rest)) ||
      (m = /^\[\s*"((?:[^"\\]|\\.)*)"\s*\]/.exec(rest))
    ) {
      steps.push({ kind: 'child', name: (m[1] ?? '').replace(/\\(.)/g, '$1') })
    } else if ((m = /^\[\s*(-?\d+)\s*\]/.exec(rest))) {
      steps.push({ kind: 'index', index: Number(m[1]) })
    } else if ((m = /^\[\s*(-?\d*)\s*:\s*(-?\d*)\s*\]/.exec(rest))) {
      steps.push({
        kind: 'slice',
        start: m[1] ? Number(m[1]) : undefined,
        end: m[2] ? Number(m[2]) : undefined,
      })
    } else {
      return undefined
    }
    i += m[0].length
  }
  return steps
}
