/**
 * The JSONPath subset mapping templates use, evaluated over template values. AWS evaluates
 * `$input.path(x)` / `$input.json(x)` with Jayway JsonPath ("JSONPath for Java", linked from the
 * mapping template reference); this evaluator follows its rules for that subset:
 * - `$`, `.name`, `['name']`, `["name"]`, `[0]`, `[-1]`, `[0,2]`, `[1:3]`, `[*]`, `.*`, `..name`;
 * - a path not starting with `$` gets `$.` in front (Jayway's `PathCompiler`);
 * - a definite path (no wildcard, deep scan, slice or list of indexes) selects one value or
 *   nothing; any other path selects a JSON list of every match.
 * Filters (`[?(...)]`) and functions are not evaluated: they fail the render instead of
 * answering differently from AWS. No JSONPath library is used, as their filter evaluation is
 * itself a code-execution surface.
 */
import { TemplateError } from './errors.js'
import { VtlList, VtlMap, type TemplateValue } from './values.js'

type Segment =
  | { readonly kind: 'name'; readonly names: readonly string[] }
  | { readonly kind: 'index'; readonly indexes: readonly number[] }
  | { readonly kind: 'slice'; readonly start: number | undefined; readonly end: number | undefined }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'scan'; readonly then: Segment }

/** A parsed JSONPath. */
export interface JsonPath {
  readonly segments: readonly Segment[]
  /** True when the path can select at most one value. */
  readonly definite: boolean
}

function invalid(path: string, why: string): never {
  throw new TemplateError('runtime', `Invalid JSONPath '${path}': ${why}`)
}

/** Parses a JSONPath; throws `TemplateError` for syntax it does not support. */
export function parseJsonPath(source: string): JsonPath {
  const path = source.trim() === '' ? '$' : source.trim()
  const text = path.startsWith('$') ? path.slice(1) : `.${path}`
  const segments: Segment[] = []
  let at = 0
  const readName = (): string => {
    const start = at
    while (at < text.length && text[at] !== '.' && text[at] !== '[') at++
    if (at === start) invalid(path, 'a property name is missing')
    return text.slice(start, at)
  }
  const readBracket = (): Segment => {
    const close = findClose(text, at)
    if (close < 0) invalid(path, "']' is missing")
    const inner = text.slice(at + 1, close).trim()
    at = close + 1
    return bracketSegment(inner, path)
  }
  while (at < text.length) {
    if (text.startsWith('..', at)) {
      at += 2
      const then: Segment =
        text[at] === '['
          ? readBracket()
          : text[at] === '*'
            ? (at++, { kind: 'wildcard' })
            : { kind: 'name', names: [readName()] }
      segments.push({ kind: 'scan', then })
    } else if (text[at] === '.') {
      at++
      if (text[at] === '[') segments.push(readBracket())
      else if (text[at] === '*') {
        at++
        segments.push({ kind: 'wildcard' })
      } else segments.push({ kind: 'name', names: [readName()] })
    } else if (text[at] === '[') {
      segments.push(readBracket())
    } else {
      invalid(path, `unexpected '${text[at] ?? ''}'`)
    }
  }
  const definite = segments.every(
    (s) => (s.kind === 'name' && s.names.length === 1) || (s.kind === 'index' && s.indexes.length === 1),
  )
  return { segments, definite }
}

/** The index of the `]` closing the bracket at `open`, skipping quoted names. */
function findClose(text: string, open: number): number {
  let quote: string | undefined
  for (let i = open + 1; i < text.length; i++) {
    const ch = text[i]
    if (quote !== undefined) {
      if (ch === '\\') i++
      else if (ch === quote) quote = undefined
    } else if (ch === "'" || ch === '"') quote = ch
    else if (ch === ']') return i
  }
  return -1
}

const INTEGER = /^-?\d+$/

function bracketSegment(inner: string, path: string): Segment {
  if (inner === '*') return { kind: 'wildcard' }
  if (inner.startsWith('?') || inner.startsWith('('))
    invalid(path, 'filter and script expressions are not supported')
  if (inner.startsWith("'") || inner.startsWith('"')) {
    const names = splitList(inner).map((part) => {
      const quote = part[0]
      if (part.length < 2 || part.at(-1) !== quote) invalid(path, `bad quoted name ${part}`)
      return part.slice(1, -1).replace(/\\(.)/g, '$1')
    })
    return { kind: 'name', names }
  }
  if (inner.includes(':')) {
    const [start = '', end = '', ...rest] = inner.split(':').map((part) => part.trim())
    if (rest.length > 0 || (start !== '' && !INTEGER.test(start)) || (end !== '' && !INTEGER.test(end))) {
      invalid(path, `bad slice [${inner}]`)
    }
    return {
      kind: 'slice',
      start: start === '' ? undefined : Number(start),
      end: end === '' ? undefined : Number(end),
    }
  }
  const indexes = splitList(inner).map((part) => {
    if (!INTEGER.test(part)) invalid(path, `bad index [${inner}]`)
    return Number(part)
  })
  return { kind: 'index', indexes }
}

function splitList(inner: string): string[] {
  const parts: string[] = []
  let quote: string | undefined
  let start = 0
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i]
    if (quote !== undefined) {
      if (ch === '\\') i++
      else if (ch === quote) quote = undefined
    } else if (ch === "'" || ch === '"') quote = ch
    else if (ch === ',') {
      parts.push(inner.slice(start, i).trim())
      start = i + 1
    }
  }
  parts.push(inner.slice(start).trim())
  return parts
}

/**
 * Selects with a parsed path. A definite path answers the value or `undefined` (not found); any
 * other path answers a JSON-style list of the matches, possibly empty. `charge` counts visited nodes.
 */
export function selectJsonPath(
  document: TemplateValue,
  path: JsonPath,
  charge: (steps: number) => void,
): TemplateValue | undefined {
  let current: TemplateValue[] = [document]
  for (const segment of path.segments) {
    const next: TemplateValue[] = []
    for (const node of current) apply(segment, node, next, charge)
    current = next
  }
  if (path.definite) return current[0]
  return new VtlList(current, true)
}

function apply(
  segment: Segment,
  node: TemplateValue,
  out: TemplateValue[],
  charge: (steps: number) => void,
): void {
  charge(1)
  switch (segment.kind) {
    case 'name':
      if (node instanceof VtlMap)
        for (const name of segment.names) if (node.has(name)) out.push(node.get(name))
      return
    case 'index':
      if (node instanceof VtlList) {
        for (const index of segment.indexes) {
          const at = index < 0 ? node.items.length + index : index
          if (at >= 0 && at < node.items.length) out.push(node.items[at] ?? null)
        }
      }
      return
    case 'slice':
      if (node instanceof VtlList) {
        const length = node.items.length
        const clamp = (i: number): number => Math.min(Math.max(i < 0 ? length + i : i, 0), length)
        out.push(...node.items.slice(clamp(segment.start ?? 0), clamp(segment.end ?? length)))
      }
      return
    case 'wildcard':
      if (node instanceof VtlList) out.push(...node.items)
      else if (node instanceof VtlMap) out.push(...node.entries.values())
      return
    case 'scan':
      scan(segment.then, node, out, charge, 0)
      return
  }
}

/** Jayway's deep scan: the node itself first, then its children, depth first. */
function scan(
  then: Segment,
  node: TemplateValue,
  out: TemplateValue[],
  charge: (steps: number) => void,
  depth: number,
): void {
  if (depth > 1000) throw new TemplateError('runtime', 'JSON is nested too deeply for a deep scan')
  if (!(node instanceof VtlList) && !(node instanceof VtlMap)) return
  if (then.kind === 'wildcard') {
    // `$..*` selects every descendant, not the node itself.
    const children = node instanceof VtlList ? node.items : [...node.entries.values()]
    for (const child of children) {
      charge(1)
      out.push(child)
      scan(then, child, out, charge, depth + 1)
    }
    return
  }
  apply(then, node, out, charge)
  const children = node instanceof VtlList ? node.items : node.entries.values()
  for (const child of children) scan(then, child, out, charge, depth + 1)
}
