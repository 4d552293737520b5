import { validateHeaderName, validateHeaderValue } from 'node:http'

/** API Gateway's payload limit, requests and responses (AWS docs "limits": 10 MB, not adjustable). */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024

/** The body of a request or answer without one: shared, as no code writes into a body. */
export const EMPTY_BODY: Buffer = Buffer.alloc(0)

/**
 * Reads a body whole, at most `limit` bytes: one declared larger (`declared`, a Content-Length),
 * or that grows larger while read, stops at once with `tooLarge()`, which ends the stream (drain
 * or destroy it) and returns the error thrown. The request, management and backend readers share it.
 *
 * A declared length is allocated once and each chunk copied in as it arrives: the body is held
 * once, and no single 10 MB copy at the end blocks the event loop (Buffer.concat of a 10 MB body
 * took 25-60 ms on a busy 2-core machine, and with 20 such bodies at once the chunks awaiting it
 * held a second copy of each; test/reliability/parallel-large-bodies.test.ts). A body without a
 * length (chunked) is gathered in chunks and joined at the end.
 */
export async function readBounded(
  body: AsyncIterable<Buffer>,
  limit: number,
  tooLarge: (declared: boolean) => Error,
  declared?: unknown,
): Promise<Buffer> {
  const collector = new BoundedBody(limit, declared)
  if (collector.declaredTooLarge) throw tooLarge(true)
  for await (const chunk of body) if (!collector.add(chunk)) throw tooLarge(false)
  return collector.finish()
}

/** A body gathered chunk by chunk, at most `limit` bytes (see readBounded). */
export class BoundedBody {
  readonly #limit: number
  /** The declared length, allocated once; undefined without one. */
  readonly #whole: Buffer | undefined
  readonly #chunks: Buffer[] = []
  #size = 0
  #isFilling: boolean
  /** The declared length (a Content-Length) is over the limit: nothing should be read. */
  readonly declaredTooLarge: boolean

  constructor(limit: number, declared?: unknown) {
    this.#limit = limit
    const length = Number(declared ?? Number.NaN)
    this.declaredTooLarge = length > limit
    // Node's HTTP parser and undici both refuse a body longer than its Content-Length, so the
    // declared length is the most that can arrive (an answer to HEAD brings less; its untouched
    // allocation costs no memory).
    this.#whole =
      !this.declaredTooLarge && Number.isSafeInteger(length) && length > 0
        ? Buffer.allocUnsafe(length)
        : undefined
    this.#isFilling = this.#whole !== undefined
  }

  /** Adds a chunk; false once the body would pass the limit (the chunk is not kept). */
  add(chunk: Buffer): boolean {
    const size = this.#size
    if (size + chunk.length > this.#limit) return false
    const whole = this.#whole
    if (whole && this.#isFilling && size + chunk.length <= whole.length) chunk.copy(whole, size)
    else {
      if (whole && this.#isFilling) this.#chunks.push(whole.subarray(0, size))
      this.#isFilling = false
      this.#chunks.push(chunk)
    }
    this.#size = size + chunk.length
    return true
  }

  /** The body read so far, whole. */
  finish(): Buffer {
    const whole = this.#whole
    // Always a copy: a chunk is a view of the socket's read buffer, which a small body kept in
    // the stage cache must not hold alive.
    if (!whole || !this.#isFilling) return Buffer.concat(this.#chunks, this.#size)
    // Shorter than declared (a HEAD or 304 answer's length, say): a copy, not a view that would
    // keep the whole allocation alive.
    return this.#size === whole.length ? whole : Buffer.from(whole.subarray(0, this.#size))
  }
}

/** A header as the client sent it: original name casing, one entry per occurrence. */
export type HeaderEntry = readonly [name: string, value: string]

/** The client request exactly as received, split the way API Gateway reads it. */
export interface InboundRequest {
  readonly method: string
  /** The path after the stage, still percent-encoded, e.g. `/pets/1` (the proxy event's `path`). */
  readonly path: string
  /** `/{stage}{path}` as received (the proxy event's `requestContext.path`). */
  readonly stagePath: string
  /** The whole request-target path as received, without the query (what a SigV4 signature covers). */
  readonly rawPath: string
  readonly headers: readonly HeaderEntry[]
  /** The raw query string without `?`. */
  readonly rawQuery: string
  /** Query parameters, URL-decoded with `+` as space, every value in order. */
  readonly query: ReadonlyMap<string, readonly string[]>
  readonly body: Buffer
  readonly sourceIp: string
  /** Arrived over TLS (the HTTPS listener). */
  readonly secure?: boolean
  /** A client certificate verified by mutual TLS. */
  readonly clientCert?: import('./http.js').ClientCert
  /** The custom domain name the request came through, if any. */
  readonly domainName?: string
  /** The VPC endpoint the request came through (a VPC endpoint listener), for private APIs. */
  readonly vpce?: { readonly id: string; readonly vpcId?: string | undefined }
  readonly protocol: string
  readonly host: string
}

/**
 * A fixed set of header names, matched case-insensitively. Lengths are compared first: header
 * names are ASCII tokens, so lower-casing keeps their length, and a name of no length in the set
 * (most of them: CloudFront's, X-Forwarded-*) is never lower-cased.
 */
export function headerNameSet(names: readonly string[]): (name: string) => boolean {
  const lower = new Set(names.map((name) => name.toLowerCase()))
  const lengths = new Set([...lower].map((name) => name.length))
  return (name) => lengths.has(name.length) && lower.has(name.toLowerCase())
}

/** The last value of a header, case-insensitively (API Gateway's single-value view). */
export function headerValue(headers: readonly HeaderEntry[], name: string): string | undefined {
  const lower = name.toLowerCase()
  for (let i = headers.length - 1; i >= 0; i--) {
    const entry = headers[i] as HeaderEntry
    // Header names are ASCII tokens, so lower-casing keeps their length: comparing lengths first
    // spares a lower-cased copy of almost every name (this runs several times per request).
    if (entry[0].length === lower.length && (entry[0] === lower || entry[0].toLowerCase() === lower))
      return entry[1]
  }
  return undefined
}

/** Every value of a header, case-insensitively, in order. */
export function headerValues(headers: readonly HeaderEntry[], name: string): string[] {
  const lower = name.toLowerCase()
  return headers.filter((h) => h[0].toLowerCase() === lower).map((h) => h[1])
}

/** Parses a query string as API Gateway does: values decoded, `+` as space, repeats kept in order. */
export function parseQuery(rawQuery: string): Map<string, string[]> {
  const query = new Map<string, string[]>()
  if (rawQuery === '') return query
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const name = decodeQueryComponent(eq < 0 ? pair : pair.slice(0, eq))
    const value = eq < 0 ? '' : decodeQueryComponent(pair.slice(eq + 1))
    const values = query.get(name)
    if (values) values.push(value)
    else query.set(name, [value])
  }
  return query
}

function decodeQueryComponent(text: string): string {
  const spaced = text.replaceAll('+', ' ')
  try {
    return decodeURIComponent(spaced)
  } catch {
    return spaced
  }
}

/** Whether Node's HTTP layer accepts the header (its own checks: RFC 9110 token, field value). */
export function isSendable(name: string, value: string): boolean {
  try {
    validateHeaderName(name)
    validateHeaderValue(name, value)
    return true
  } catch {
    return false
  }
}
