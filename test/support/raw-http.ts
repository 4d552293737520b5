import { connect } from 'node:net'

/** What came back on one raw connection. */
export interface RawExchange {
  /** Every byte received, as latin1 text. */
  text: string
  /** Whether the gateway closed the connection (rather than the timeout ending the wait). */
  closedByPeer: boolean
}

/**
 * Writes raw bytes on a fresh connection (nothing normalised: paths, encodings and headers go
 * as given) and collects what comes back until the gateway closes it, or for `waitMs` (default
 * 2 s). With `untilResponses`, stops once that many HTTP/1.1 status lines arrived.
 */
export function rawExchange(
  url: string,
  data: string | Buffer,
  { waitMs = 2_000, untilResponses }: { waitMs?: number; untilResponses?: number } = {},
): Promise<RawExchange> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(data))
    let text = ''
    let closedByPeer = true
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      text += chunk
      const answered = text.match(/HTTP\/1\.1 \d{3} /g)?.length ?? 0
      if (untilResponses !== undefined && answered >= untilResponses && /\r\n\r\n/.test(text)) {
        closedByPeer = false
        setTimeout(() => socket.destroy(), 50).unref()
      }
    })
    // A gateway that closes while bytes are still unsent may reset the connection: what arrived
    // before the reset is the answer.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error)
    })
    socket.on('close', () => resolve({ text, closedByPeer }))
    setTimeout(() => {
      closedByPeer = false
      socket.destroy()
    }, waitMs).unref()
  })
}
