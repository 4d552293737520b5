/**
 * X-Ray's trace header (AWS docs "xray-concepts", section "Tracing header"):
 * `Root=1-{8 hex: epoch seconds}-{24 hex};Parent={16 hex};Sampled={0|1}`, fields in any order,
 * others (Lineage, Self) passed along untouched. An X-Ray trace id is a W3C/OpenTelemetry trace
 * id once the version and the dash are dropped (8 + 24 = 32 hex digits), and a Parent is a span id.
 */
export interface TraceHeader {
  /** The OpenTelemetry trace id (32 lowercase hex digits) of a well-formed `Root`. */
  traceId?: string
  /** The caller's span id (16 lowercase hex digits) of a well-formed `Parent`. */
  parentId?: string
  /** `Sampled=0` says the caller decided not to trace; absent means no decision. */
  sampled?: boolean
}

const ROOT = /^1-([0-9a-f]{8})-([0-9a-f]{24})$/i
const SPAN_ID = /^[0-9a-f]{16}$/i

/** Reads the fields Tollgate needs; malformed fields are left out, never an error. */
export function parseTraceHeader(value: string): TraceHeader {
  const out: TraceHeader = {}
  for (const part of value.split(';')) {
    const eq = part.indexOf('=')
    const key = part.slice(0, eq).trim().toLowerCase()
    const field = part.slice(eq + 1).trim()
    if (key === 'root') {
      const root = ROOT.exec(field)
      if (root) out.traceId = `${root[1] ?? ''}${root[2] ?? ''}`.toLowerCase()
    } else if (key === 'parent' && SPAN_ID.test(field)) out.parentId = field.toLowerCase()
    else if (key === 'sampled' && (field === '0' || field === '1')) out.sampled = field === '1'
  }
  return out
}

/**
 * The header passed on to backends and functions: the same Root (and any other field), the
 * gateway's span as Parent, Sampled=1 — what API Gateway sends when a stage has tracing on.
 */
export function traceHeaderWithParent(value: string, traceId: string, spanId: string): string {
  const kept = value
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part !== '' && !/^(root|parent|sampled)=/i.test(part))
  const root = `Root=1-${traceId.slice(0, 8)}-${traceId.slice(8)}`
  return [root, `Parent=${spanId}`, 'Sampled=1', ...kept].join(';')
}
