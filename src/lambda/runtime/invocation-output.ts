/**
 * The runner marks where each invocation's output begins and ends in its stdout and stderr:
 * `\0TGS<requestId>\0` before an invocation's first write to a stream, `\0TGE\0` after its last
 * (node-runner.mjs writes them only to a stream the invocation wrote to, so a function that logs
 * nothing costs no extra write). Without them, output could only be attributed by when it
 * arrived, and an environment that already runs its next invocation (see ExecutionEnvironment)
 * may send that one's first lines before the gateway has read the previous one's result.
 */
export const START_MARK = '\0TGS'
export const END_MARK = '\0TGE\0'
/** A marker's longest id (request ids are UUIDs); a NUL with no end in reach is output. */
const MAX_MARK_LENGTH = START_MARK.length + 64 + 1

interface Stream {
  /** The invocation whose section is open in this stream. */
  owner: string | undefined
  /** The start of a marker split across two reads. */
  rest: string
}

/**
 * Splits one environment's stdout and stderr into each invocation's output. Text outside any
 * invocation's section (what the init printed, what a callback printed after its invocation
 * ended, a crash's trace) goes to the next section that opens, ahead of its text, or else to the
 * next invocation whose output is taken, after its text: Lambda's log stream has it between the
 * invocations' lines in the order it was written.
 */
export class InvocationOutput {
  readonly #streams: Stream[] = [
    { owner: undefined, rest: '' },
    { owner: undefined, rest: '' },
  ]
  /** Output of each invocation with a section read so far. */
  readonly #texts = new Map<string, string>()
  /** End markers read, by invocation, as a bit per stream (1 stdout, 2 stderr). */
  readonly #ended = new Map<string, number>()
  /** Invocations whose output was taken: what they print later (a timed-out one) is unowned. */
  readonly #taken = new Set<string>()
  #unowned = ''
  /** Called when an end marker is read. */
  onEnd: (requestId: string) => void = () => undefined

  /** Text read from stream 0 (stdout) or 1 (stderr). */
  add(stream: 0 | 1, chunk: string): void {
    const state = this.#streams[stream] as Stream
    let text = state.rest + chunk
    state.rest = ''
    for (;;) {
      const at = text.indexOf('\0')
      if (at === -1) {
        this.#append(state.owner, text)
        return
      }
      this.#append(state.owner, text.slice(0, at))
      text = text.slice(at)
      const close = text.indexOf('\0', 1)
      if (close === -1 && text.length < MAX_MARK_LENGTH && couldBeMark(text)) {
        state.rest = text
        return
      }
      if (text.startsWith(END_MARK)) {
        const owner = state.owner
        state.owner = undefined
        text = text.slice(END_MARK.length)
        if (owner !== undefined) {
          this.#ended.set(owner, (this.#ended.get(owner) ?? 0) | (stream === 0 ? 1 : 2))
          this.onEnd(owner)
        }
      } else if (text.startsWith(START_MARK) && close !== -1) {
        state.owner = text.slice(START_MARK.length, close)
        text = text.slice(close + 1)
        const before = this.#unowned
        this.#unowned = ''
        this.#append(state.owner, before)
      } else {
        // A NUL the function wrote itself.
        this.#append(state.owner, '\0')
        text = text.slice(1)
      }
    }
  }

  /** Whether the end markers of `streams` (bit 1 stdout, bit 2 stderr) were read for it. */
  hasEnded(requestId: string, streams: number): boolean {
    return ((this.#ended.get(requestId) ?? 0) & streams) === streams
  }

  /** The invocation's output, then the text outside any section read so far; forgets both. */
  take(requestId: string): string {
    const text = (this.#texts.get(requestId) ?? '') + this.#unowned
    this.#unowned = ''
    this.#texts.delete(requestId)
    this.#ended.delete(requestId)
    if (this.#taken.size >= 16) this.#taken.clear()
    this.#taken.add(requestId)
    return text
  }

  #append(owner: string | undefined, text: string): void {
    if (text === '') return
    if (owner === undefined || this.#taken.has(owner)) this.#unowned += text
    else this.#texts.set(owner, (this.#texts.get(owner) ?? '') + text)
  }
}

/** Whether `text` (starting with a NUL, with no second one) may be a marker cut short by a read. */
function couldBeMark(text: string): boolean {
  const head = text.slice(0, START_MARK.length)
  return START_MARK.startsWith(head) || END_MARK.startsWith(head)
}
