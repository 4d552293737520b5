import { describe, expect, it } from 'vitest'
import { LastGood } from '../../src/store/last-good.js'

describe('LastGood.now', () => {
  it('answers a promise until the value is loaded, then the value itself, until the next change', async () => {
    let loads = 0
    const value = new LastGood(() => Promise.resolve(`v${++loads}`))
    const first = value.now()
    expect(first).toBeInstanceOf(Promise)
    expect(await first).toBe('v1')
    expect(value.now()).toBe('v1')
    value.invalidate()
    const reloaded = value.now()
    expect(reloaded).toBeInstanceOf(Promise)
    expect(await reloaded).toBe('v2')
    expect(value.now()).toBe('v2')
    expect(loads).toBe(2)
  })

  it('keeps answering the last good value at once when a reload fails', async () => {
    let fail = false
    const stale: unknown[] = []
    const value = new LastGood(
      () => (fail ? Promise.reject(new Error('store down')) : Promise.resolve('good')),
      (error) => stale.push(error),
    )
    expect(await value.now()).toBe('good')
    fail = true
    value.invalidate()
    expect(await value.now()).toBe('good')
    expect(value.now()).toBe('good')
    expect(stale).toHaveLength(1)
  })

  it('does not keep a value loaded before a change as settled', async () => {
    let release: (v: string) => void = () => {}
    const value = new LastGood(() => new Promise<string>((resolve) => (release = resolve)))
    const pending = value.now()
    value.invalidate()
    release('old')
    expect(await pending).toBe('old')
    // The load that started before the change is not served as current.
    expect(value.now()).toBeInstanceOf(Promise)
  })
})
