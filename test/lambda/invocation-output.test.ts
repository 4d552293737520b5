import { describe, expect, it } from 'vitest'
import { END_MARK, InvocationOutput, START_MARK } from '../../src/lambda/runtime/invocation-output.js'

// The runner marks each invocation's section of stdout and stderr; the gateway splits what it
// reads by those marks, whatever the pipe's reads cut them into.
const start = (id: string) => `${START_MARK}${id}\0`

describe('InvocationOutput', () => {
  it('gives each invocation its own section of each stream, and reports its end marks', () => {
    const output = new InvocationOutput()
    const ended: string[] = []
    output.onEnd = (id) => ended.push(id)
    output.add(0, `${start('a')}a1\n${END_MARK}${start('b')}b1\n`)
    output.add(1, `${start('a')}a-err\n${END_MARK}`)
    expect(ended).toEqual(['a', 'a'])
    expect(output.hasEnded('a', 3)).toBe(true)
    expect(output.hasEnded('b', 1)).toBe(false)
    output.add(0, `b2\n${END_MARK}`)
    expect(output.hasEnded('b', 1)).toBe(true)
    expect(output.take('a')).toBe('a1\na-err\n')
    expect(output.take('b')).toBe('b1\nb2\n')
  })

  it('joins a mark cut across two reads, at every cut', () => {
    const text = `${start('req-1')}hello\n${END_MARK}${start('req-2')}bye\n${END_MARK}`
    for (let cut = 0; cut <= text.length; cut++) {
      const output = new InvocationOutput()
      output.add(0, text.slice(0, cut))
      output.add(0, text.slice(cut))
      expect([output.take('req-1'), output.take('req-2')]).toEqual(['hello\n', 'bye\n'])
      expect(output.hasEnded('req-2', 1) || output.take('req-2') === '').toBe(true)
    }
  })

  it('keeps a NUL the function wrote, and gives text outside any section to the next section or the next taken', () => {
    const output = new InvocationOutput()
    output.add(0, 'init line\n')
    output.add(0, `${start('a')}x\0y \0z\n${END_MARK}late\n`)
    output.add(1, 'crash trace\0')
    output.add(1, 'x')
    // The init's line goes ahead of a's first line; what came after a's section, after it.
    expect(output.take('a')).toBe('init line\nx\0y \0z\nlate\ncrash trace\0x')
    expect(output.take('b')).toBe('')
    output.add(0, `after\n${start('c')}c\n`)
    expect(output.take('c')).toBe('after\nc\n')
  })

  it('treats what an answered invocation prints later as outside any section', () => {
    const output = new InvocationOutput()
    output.add(0, `${start('a')}first\n`)
    expect(output.take('a')).toBe('first\n')
    // Timed out, then still printing: the next invocation's log shows it, as Lambda's stream would.
    output.add(0, `still a\n${END_MARK}${start('b')}b\n${END_MARK}`)
    expect(output.take('b')).toBe('still a\nb\n')
  })
})
