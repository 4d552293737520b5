/**
 * The processes `npm run bench` starts: each one tracked so that none outlives the bench (stopped
 * with its descendants, by PID, also on Ctrl-C or a crash), optionally pinned to one CPU with
 * `taskset`, and measured from /proc: CPU time and RSS of a process together with its descendants
 * (nginx's workers, Tollgate's function environments).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { delimiter, join } from 'node:path'

/** One child process of the bench, with what it printed (the last 16 KB). */
export interface Tracked {
  name: string
  child: ChildProcess
  pid: number
  output(): string
  /** Resolves when the process has ended (code or signal name). */
  exited: Promise<number | string>
}

const tracked = new Set<Tracked>()

/** Where the load generator and the servers run: a CPU each, or undefined when not pinned. */
export interface Pinning {
  loader: string | undefined
  servers: string | undefined
  /** One sentence for the output: what was pinned where, or why nothing was. */
  note: string
}

/** The absolute path of a program on the PATH (or in the sbin folders root's PATH has), if any. */
export function findProgram(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin']
  for (const dir of dirs) {
    const candidate = join(dir, name)
    if (dir && existsSync(candidate)) return candidate
  }
  return undefined
}

/** CPUs this process may run on, from `taskset -p` (e.g. "0,1" or "0-3"). */
function allowedCpus(taskset: string): number[] {
  const result = spawnSync(taskset, ['-c', '-p', String(process.pid)], { encoding: 'utf8', timeout: 5_000 })
  const list = /list:\s*([\d,-]+)/.exec(result.stdout)?.[1] ?? ''
  return list.split(',').flatMap((part) => {
    const [from, to] = part.split('-').map(Number)
    if (from === undefined || Number.isNaN(from)) return []
    return Array.from({ length: (to ?? from) - from + 1 }, (_, i) => from + i)
  })
}

/**
 * The load generator on the first allowed CPU, every server on the second, when `taskset` exists
 * and at least two CPUs are allowed; this process (idle while loads run) joins the load generator.
 */
export function choosePinning(enabled: boolean): Pinning {
  const none = (why: string): Pinning => ({ loader: undefined, servers: undefined, note: why })
  if (!enabled) return none('not pinned (--no-pin)')
  const taskset = findProgram('taskset')
  if (!taskset) return none('not pinned: taskset is not installed (Debian package util-linux)')
  const cpus = allowedCpus(taskset)
  if (cpus.length < 2) return none(`not pinned: only CPU ${cpus.join(',') || '?'} is available`)
  const [loader, servers] = [String(cpus[0]), String(cpus[1])]
  spawnSync(taskset, ['-a', '-c', '-p', loader, String(process.pid)], { stdio: 'ignore', timeout: 5_000 })
  return {
    loader,
    servers,
    note: `pinned with taskset: load generator (and this process) on CPU ${loader}, every server on CPU ${servers}`,
  }
}

/** Starts `command args`, pinned to `cpu` if given, and tracks it until it ends. */
export function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  options: { cpu?: string | undefined; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Tracked {
  const [file, argv] = options.cpu ? ['taskset', ['-c', options.cpu, command, ...args]] : [command, [...args]]
  // taskset execs the command: the PID stays the server's.
  const child = spawn(file, argv, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-16_384)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  const exited = new Promise<number | string>((resolve) => {
    child.once('error', (error) => {
      output += `\n${error.message}`
      resolve('error')
    })
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'))
  })
  const handle: Tracked = { name, child, pid: child.pid ?? -1, output: () => output, exited }
  tracked.add(handle)
  void exited.then(() => tracked.delete(handle))
  return handle
}

export const isRunning = (p: Tracked): boolean => p.child.exitCode === null && p.child.signalCode === null

/** [pid, start time] of each live process, keyed by parent pid. */
function processTable(): Map<number, { pid: number; start: string }[]> {
  const byParent = new Map<number, { pid: number; start: string }[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const fields = statFields(Number(entry))
    if (!fields) continue
    const ppid = Number(fields[1])
    const list = byParent.get(ppid) ?? []
    list.push({ pid: Number(entry), start: fields[19] ?? '' })
    byParent.set(ppid, list)
  }
  return byParent
}

/**
 * Fields of /proc/<pid>/stat after the command name (field 3, the state, is index 0), or undefined
 * if the process is gone. The command name may hold spaces: split after its closing parenthesis.
 */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined
  }
}

/** The process and all its descendants, with their start times (to tell a reused PID). */
function tree(pid: number): { pid: number; start: string }[] {
  const byParent = processTable()
  const self = statFields(pid)
  const all = self ? [{ pid, start: self[19] ?? '' }] : []
  for (let i = 0; i < all.length; i++) all.push(...(byParent.get(all[i]!.pid) ?? []))
  return all
}

const CLOCK_TICKS_PER_SECOND = 100 // USER_HZ; `getconf CLK_TCK` is 100 on Linux

/**
 * CPU time of a process and its live descendants, in µs: user + system time of each, plus the
 * time of the children each has already reaped (cutime + cstime), so a worker that came and went
 * during a run still counts.
 */
export function treeCpuMicros(pid: number): number {
  let ticks = 0
  for (const { pid: member } of tree(pid)) {
    const f = statFields(member)
    if (f) ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])
  }
  return (ticks * 1_000_000) / CLOCK_TICKS_PER_SECOND
}

/**
 * Time one CPU spent running anything (user, nice, system, irq and softirq time from /proc/stat), in
 * µs; undefined where it cannot be read. Against the CPU time of the processes measured on that CPU,
 * it shows how much of the CPU went elsewhere during a run: another server's background work, or
 * the kernel's network processing that no process is charged for.
 */
export function cpuBusyMicros(cpu: string): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`cpu${cpu} `))
    const f = line?.trim().split(/\s+/).slice(1).map(Number)
    if (!f || f.length < 7) return undefined
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = f
    return ((user + nice + system + irq + softirq) * 1_000_000) / CLOCK_TICKS_PER_SECOND
  } catch {
    return undefined
  }
}

/** CPU time of a process and of each live descendant, in µs, by PID (user + system time). */
export function cpuByMember(pid: number): Map<number, number> {
  const times = new Map<number, number>()
  for (const { pid: member } of tree(pid)) {
    const f = statFields(member)
    if (f) times.set(member, ((Number(f[11]) + Number(f[12])) * 1_000_000) / CLOCK_TICKS_PER_SECOND)
  }
  return times
}

function rssKb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
  } catch {
    return 0
  }
}

/** Resident memory of the process alone and of it with its descendants, in MB; how many descendants. */
export function rssMegabytes(pid: number): { process: number; tree: number; descendants: number } {
  const members = tree(pid)
  const total = members.reduce((sum, m) => sum + rssKb(m.pid), 0)
  return {
    process: Math.round(rssKb(pid) / 1024),
    tree: Math.round(total / 1024),
    descendants: Math.max(0, members.length - 1),
  }
}

/** SIGKILL to every listed process still alive with the same start time (never a reused PID). */
function killListed(members: readonly { pid: number; start: string }[]): void {
  for (const { pid, start } of members) {
    if (statFields(pid)?.[19] !== start) continue
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
}

const paused = new Set<Tracked>()

/**
 * Stops a process and its descendants from running (SIGSTOP) until `resumeProcess`: a server that
 * does background work when idle (serverless-offline's garbage collections and timers, ~0.5 s of CPU
 * at a time) would otherwise take the servers' CPU from whichever target is measured then.
 */
export function pauseProcess(p: Tracked): void {
  if (!isRunning(p)) return
  for (const { pid } of tree(p.pid)) sendSignal(pid, 'SIGSTOP')
  paused.add(p)
}

/** Lets a paused process and its descendants run again (SIGCONT). */
export function resumeProcess(p: Tracked): void {
  if (!paused.delete(p)) return
  for (const { pid } of tree(p.pid)) sendSignal(pid, 'SIGCONT')
}

function sendSignal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name)
  } catch {
    // already gone
  }
}

/**
 * Stops a process: `signal` (SIGTERM by default), then SIGKILL to it and to any descendant still
 * there after `graceMs`; descendants are listed before the signal, while they are still its.
 */
export async function stopProcess(
  p: Tracked,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 3_000,
): Promise<void> {
  if (!isRunning(p)) return
  // A paused process would not act on SIGTERM until continued.
  resumeProcess(p)
  const members = tree(p.pid)
  p.child.kill(signal)
  const timer = setTimeout(() => killListed(members), graceMs)
  await p.exited
  clearTimeout(timer)
  // Descendants that outlived their parent (an nginx worker, a function environment).
  await new Promise((resolve) => setTimeout(resolve, 50))
  killListed(members.slice(1))
}

/** Kills every tracked process and its descendants now (synchronous: for 'exit' and signals). */
export function killEverything(): void {
  for (const p of tracked) if (isRunning(p)) killListed(tree(p.pid))
}

/** Stops every tracked process still running. */
export async function stopEverything(): Promise<void> {
  await Promise.all([...tracked].map((p) => stopProcess(p)))
}

/** Waits for a process to end; kills it (with its descendants) after `timeoutMs`. */
export async function waitExit(p: Tracked, timeoutMs: number): Promise<number | string> {
  const timer = setTimeout(() => {
    if (isRunning(p)) killListed(tree(p.pid))
  }, timeoutMs)
  const code = await p.exited
  clearTimeout(timer)
  return code
}
