/**
 * Programs `npm run bench` needs from outside the repository: Debian packages (nginx, wrk) through
 * apt-get when they are missing, and npm packages (serverless-offline) installed into a temporary
 * folder. Each install is bounded in time; a failure is a note for the output, never a crash.
 */
import { findProgram, startProcess, waitExit } from './processes.js'

const APT_TIMEOUT_MS = 5 * 60_000

async function run(name: string, command: string, args: string[], timeoutMs: number, cwd?: string) {
  const p = startProcess(name, command, args, {
    ...(cwd ? { cwd } : {}),
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  })
  const code = await waitExit(p, timeoutMs)
  return { ok: code === 0, output: p.output(), code }
}

/**
 * The path of `program`, installing Debian package `pkg` with `apt-get install -y` if it is missing
 * (after an `apt-get update` if the first attempt fails). Returns a reason instead when it cannot.
 */
export async function ensureDebianProgram(
  program: string,
  pkg: string,
): Promise<{ path: string } | { reason: string }> {
  const found = findProgram(program)
  if (found) return { path: found }
  const apt = findProgram('apt-get')
  if (!apt) return { reason: `${program} is not installed and there is no apt-get to install ${pkg}` }
  if (process.getuid?.() !== 0) {
    return {
      reason: `${program} is not installed; run \`apt-get install -y ${pkg}\` as root, or the bench as root`,
    }
  }
  process.stderr.write(`installing ${pkg} (apt-get install -y ${pkg})...\n`)
  let attempt = await run('apt-get', apt, ['install', '-y', '--no-install-recommends', pkg], APT_TIMEOUT_MS)
  if (!attempt.ok) {
    process.stderr.write(`apt-get install failed (${attempt.code}); apt-get update and a second try...\n`)
    await run('apt-get update', apt, ['update'], APT_TIMEOUT_MS)
    attempt = await run('apt-get', apt, ['install', '-y', '--no-install-recommends', pkg], APT_TIMEOUT_MS)
  }
  const installed = findProgram(program)
  if (installed) return { path: installed }
  return {
    reason: `apt-get install -y ${pkg} failed (${attempt.code}): ${attempt.output.trim().slice(-600)}`,
  }
}

/** `npm install packages` in `dir`, bounded by `timeoutMs`; a reason on failure. */
export async function npmInstall(
  dir: string,
  packages: string[],
  timeoutMs: number,
): Promise<string | undefined> {
  const npm = findProgram('npm')
  if (!npm) return 'npm is not on the PATH'
  const result = await run(
    'npm install',
    npm,
    ['install', '--no-audit', '--no-fund', '--loglevel=error', ...packages],
    timeoutMs,
    dir,
  )
  return result.ok
    ? undefined
    : `npm install ${packages.join(' ')} failed (${result.code}): ${result.output.trim().slice(-600)}`
}
