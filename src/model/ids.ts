import { randomBytes } from 'node:crypto'

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789'

/** AWS-like lowercase alphanumeric id (10 chars for APIs and root resources, 6 for the rest). */
export function newId(length: 6 | 10): string {
  const bytes = randomBytes(length)
  let id = ''
  for (const byte of bytes) id += ALPHABET.charAt(byte % ALPHABET.length)
  return id
}

/** Epoch seconds, the JSON timestamp form of the API Gateway API. */
export const nowEpochSeconds = (): number => Math.floor(Date.now() / 1000)
