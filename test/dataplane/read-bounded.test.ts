import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { readBounded } from '../../src/dataplane/request.js'

// A stream's chunks as for-await sees them.
const chunksOf = (...chunks: string[]): AsyncIterable<Buffer> =>
  Readable.from(chunks.map((c) => Buffer.from(c)))
const tooLarge = (declared: boolean): Error => new Error(declared ? 'declared' : 'grew')

describe('readBounded', () => {
  it('fills a declared length in place, chunk by chunk', async () => {
    const body = await readBounded(chunksOf('ab', 'cd', 'e'), 10, tooLarge, '5')
    expect(body.toString()).toBe('abcde')
  })

  it('joins chunks when no length is declared', async () => {
    expect((await readBounded(chunksOf('ab', 'cd'), 10, tooLarge)).toString()).toBe('abcd')
    expect((await readBounded(chunksOf(), 10, tooLarge, '0')).length).toBe(0)
  })

  it('answers what came when less arrives than declared (an answer to HEAD)', async () => {
    const declared = 1024 * 1024
    const body = await readBounded(chunksOf('ab'), declared, tooLarge, String(declared))
    expect(body.toString()).toBe('ab')
    // A copy of what came, not a view that keeps the declared megabyte alive.
    expect(body.buffer.byteLength).toBeLessThan(declared)
  })

  it('keeps the order when more arrives than declared', async () => {
    expect((await readBounded(chunksOf('ab', 'cdef', 'g'), 10, tooLarge, '3')).toString()).toBe('abcdefg')
  })

  it('refuses a declared or a growing body over the limit', async () => {
    await expect(readBounded(chunksOf('a'), 4, tooLarge, '5')).rejects.toThrow('declared')
    await expect(readBounded(chunksOf('abc', 'de'), 4, tooLarge)).rejects.toThrow('grew')
    await expect(readBounded(chunksOf('abc', 'de'), 4, tooLarge, '4')).rejects.toThrow('grew')
  })
})
