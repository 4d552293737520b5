import { badRequest } from './api-error.js'

/** `{ item, position }`, the list shape of the API Gateway API. */
export interface Page<T> {
  item: T[]
  position?: string
}

const DEFAULT_LIMIT = 25
const MAX_LIMIT = 500

/**
 * Slices a list by `limit` (default 25, at most 500) and `position`, an opaque token naming the
 * offset of the next page. AWS's tokens are opaque too; clients only echo them back.
 */
export function paginate<T>(items: readonly T[], query: URLSearchParams): Page<T> {
  const limitParam = query.get('limit')
  const limit = limitParam === null ? DEFAULT_LIMIT : Number(limitParam)
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw badRequest(`Invalid limit: must be an integer between 1 and ${MAX_LIMIT}`)
  }
  const position = query.get('position')
  const start = position === null ? 0 : decodePosition(position)
  const item = items.slice(start, start + limit)
  const next = start + limit
  return next < items.length ? { item, position: encodePosition(next) } : { item }
}

function encodePosition(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url')
}

function decodePosition(token: string): number {
  const match = /^o:(\d+)$/.exec(Buffer.from(token, 'base64url').toString())
  if (!match?.[1]) throw badRequest('Invalid position parameter')
  return Number(match[1])
}
