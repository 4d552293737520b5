/**
 * What the scripts that start gateways of given builds share (`bench:ab`, `bench:burst`): wrk on
 * one CPU and the servers on another, a temporary folder removed at the end, every process started
 * stopped at the end, on Ctrl-C or on a failure.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chooseLoader, ensureWrk, type Loader } from './loader.js'
import { choosePinning, killEverything, stopEverything, type Pinning } from './processes.js'

/**
 * Runs `body` with wrk pinned apart from the servers and a temporary folder; exits with its code
 * (1 on a failure). A build copied out of the repository still finds the packages kept out of
 * its bundle (NODE_PATH).
 */
export function runWithBuilds(
  name: string,
  connections: number,
  body: (tools: { pinning: Pinning; loader: Loader; temp: string }) => Promise<number>,
): void {
  process.once('SIGINT', () => {
    killEverything()
    process.exit(130)
  })
  const run = async (): Promise<number> => {
    const wrk = await ensureWrk()
    if (!('path' in wrk)) throw new Error(`${name} needs wrk: ${wrk.reason}`)
    const pinning = choosePinning(true)
    console.log(pinning.note)
    const loader = chooseLoader(connections, pinning.loader, wrk.path)
    process.env['NODE_PATH'] = fileURLToPath(new URL('../../node_modules', import.meta.url))
    const temp = mkdtempSync(join(tmpdir(), `tollgate-${name.replace(/\W/g, '-')}-`))
    try {
      return await body({ pinning, loader, temp })
    } finally {
      await stopEverything()
      rmSync(temp, { recursive: true, force: true })
    }
  }
  run().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error)
      killEverything()
      process.exit(1)
    },
  )
}
