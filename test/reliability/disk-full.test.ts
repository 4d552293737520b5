import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { copyFile, open, unlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { rawCall } from '../support/gateway.js'
import { killAll, spawnTollgate, type TollgateProcess } from '../support/process.js'
import { startResponsivenessProbe } from '../support/responsiveness.js'

// The disk under the data directory fills up while the configuration is written (issue 16,
// "faults survived"). The disk is real: a small tmpfs, filled with a file to the last byte. Then
// every management write that needs space fails as AWS fails a request it could not complete:
// 503 ServiceUnavailableException (`{"message"}`, retryable; nothing changed); what was
// configured before is intact and still served, nothing half-written is visible (not even after
// a restart), and once space is freed writes succeed again. A probe on a MOCK method shows the
// event loop never blocked.
const MOUNT_SIZE = '8m'

/** A small tmpfs the gateway's data directory can live on. */
interface SmallDisk {
  /** The mount point, as this process reaches it. */
  path: string
  /** The mount point, as the gateway (started with `prefix`) sees it. */
  gatewayPath: string
  prefix: string[]
  how: string
  release(): void
}

/**
 * Mounts a small tmpfs, the first way that works: as root; in a user and mount namespace of our
 * own (no privilege needed where unprivileged user namespaces are allowed), held open by a
 * sleeping process that the gateway joins with nsenter and whose /proc/<pid>/root this process
 * reaches it through; with `sudo -n` (CI runners). Not skipped when none works: a disk-full test
 * that silently does not run proves nothing. `DISK_FULL_MOUNT` (mount, unshare, sudo) forces one.
 */
async function mountSmallDisk(mountPoint: string): Promise<SmallDisk> {
  const options = ['-t', 'tmpfs', '-o', `size=${MOUNT_SIZE},mode=1777`, 'tmpfs', mountPoint]
  const forced = process.env['DISK_FULL_MOUNT']
  const failures: string[] = []
  const direct = { path: mountPoint, gatewayPath: mountPoint, prefix: [] }
  if ((forced ?? 'mount') === 'mount' && process.getuid?.() === 0) {
    try {
      execFileSync('mount', options, { stdio: 'pipe' })
      return { ...direct, how: 'mount', release: () => execFileSync('umount', [mountPoint]) }
    } catch (error) {
      failures.push(`mount: ${String(error)}`)
    }
  }
  if ((forced ?? 'unshare') === 'unshare') {
    const holder = spawn(
      'unshare',
      [
        '--user',
        '--map-root-user',
        '--mount',
        'sh',
        '-c',
        'mount "$@" && echo mounted && exec sleep 600',
        'sh',
        ...options,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    const isMounted = await new Promise<boolean>((resolve) => {
      holder.stdout.once('data', () => resolve(true))
      holder.once('error', () => resolve(false))
      holder.once('exit', () => resolve(false))
    })
    if (isMounted) {
      return {
        path: `/proc/${holder.pid}/root${mountPoint}`,
        gatewayPath: mountPoint,
        prefix: ['nsenter', '-t', String(holder.pid), '--user', '--mount', '--preserve-credentials'],
        how: 'a user namespace',
        release: () => holder.kill('SIGKILL'),
      }
    }
    failures.push('unshare: could not mount in a user namespace')
  }
  if ((forced ?? 'sudo') === 'sudo') {
    try {
      execFileSync('sudo', ['-n', 'mount', ...options], { stdio: 'pipe' })
      return { ...direct, how: 'sudo', release: () => execFileSync('sudo', ['-n', 'umount', mountPoint]) }
    } catch (error) {
      failures.push(`sudo -n mount: ${String(error)}`)
    }
  }
  throw new Error(`this test needs a small tmpfs and could not mount one: ${failures.join('; ')}`)
}

/**
 * Writes zeros to `file` until the filesystem refuses (ENOSPC); returns the bytes written.
 * Asynchronous, so the responsiveness probe in this process keeps its schedule meanwhile.
 */
async function fillDisk(file: string): Promise<number> {
  const handle = await open(file, 'w')
  const chunk = Buffer.alloc(64 * 1024)
  let written = 0
  try {
    for (;;) written += (await handle.write(chunk)).bytesWritten
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error
  } finally {
    await handle.close()
  }
  return written
}

interface Call {
  status: number
  errorType: string | null
  json: unknown
}

describe('disk full while writing configuration', () => {
  const mountPoint = mkdtempSync(join(tmpdir(), 'tollgate-disk-full-'))
  let disk: SmallDisk | undefined
  let gateway: TollgateProcess | undefined

  afterAll(async () => {
    gateway?.kill('SIGKILL')
    await gateway?.waitExit()
    killAll()
    disk?.release()
    rmSync(mountPoint, { recursive: true, force: true })
  })

  it('refuses writes with 503, keeps serving what was configured, and recovers', async () => {
    disk = await mountSmallDisk(mountPoint)
    const dataDir = join(disk.gatewayPath, 'data')
    gateway = await spawnTollgate(['--data-dir', dataDir], { prefix: disk.prefix })
    const url = gateway.url
    const call = (method: string, path: string, body?: unknown): Promise<Call> =>
      rawCall(url, method, path, body === undefined ? undefined : JSON.stringify(body))

    // What is configured before the disk fills: an API with a MOCK method, deployed.
    const api = (await call('POST', '/restapis', { name: 'kept' })).json as {
      id: string
      rootResourceId: string
    }
    // A MOCK method at /{pathPart} answering `template`; the statuses of the calls making it.
    const putMock = async (pathPart: string, template: string): Promise<number[]> => {
      const resource = await call('POST', `/restapis/${api.id}/resources/${api.rootResourceId}`, { pathPart })
      const method = `/restapis/${api.id}/resources/${(resource.json as { id: string }).id}/methods/GET`
      const integration = { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }
      const response = { selectionPattern: '', responseTemplates: { 'application/json': template } }
      return [
        resource.status,
        (await call('PUT', method, { authorizationType: 'NONE' })).status,
        (await call('PUT', `${method}/integration`, integration)).status,
        (await call('PUT', `${method}/responses/200`, {})).status,
        (await call('PUT', `${method}/integration/responses/200`, response)).status,
      ]
    }
    expect(await putMock('alive', '{"alive": true}')).toEqual([201, 201, 201, 201, 201])
    const deployment = await call('POST', `/restapis/${api.id}/deployments`, { stageName: 'prod' })
    expect(deployment.status).toBe(201)
    const deploymentId = (deployment.json as { id: string }).id
    const invoke = `${url}/_aws/execute-api/${api.id}/prod/alive`
    const served = async (): Promise<unknown> => (await fetch(invoke)).json()
    expect(await served()).toEqual({ alive: true })
    const resourcesBefore = (await call('GET', `/restapis/${api.id}/resources`)).json

    const probe = startResponsivenessProbe(invoke)
    const filler = join(disk.path, 'filler')
    const filled = await fillDisk(filler)

    // Writes that need space: new APIs with 200 KB descriptions. Some may still fit in space
    // SQLite holds already (its write-ahead log is reused after a checkpoint); they must then
    // be there. The first refusal comes within a few, and every write after it is refused too.
    const acknowledged: string[] = []
    let refused: Call | undefined
    for (let i = 0; i < 40 && !refused; i++) {
      const name = `filler-${i}`
      const answer = await call('POST', '/restapis', { name, description: 'x'.repeat(200_000) })
      if (answer.status === 201) acknowledged.push(name)
      else refused = answer
    }
    const refusals = [
      refused,
      await call('POST', '/restapis', { name: 'after-full', description: 'y'.repeat(200_000) }),
      await call('POST', `/restapis/${api.id}/resources/${api.rootResourceId}`, { pathPart: 'half' }),
      await call('POST', `/restapis/${api.id}/deployments`, {
        stageName: 'prod',
        description: 'z'.repeat(50_000),
      }),
    ]
    const expected: Call = {
      status: 503,
      errorType: 'ServiceUnavailableException',
      json: { message: 'The configuration store is unavailable. Retry later.' },
    }
    expect(refusals).toEqual([expected, expected, expected, expected])

    // Nothing changed but what was acknowledged; the old deployment still serves.
    expect(await served()).toEqual({ alive: true })
    const names = ((await call('GET', '/restapis?limit=500')).json as { item: { name: string }[] }).item.map(
      (item) => item.name,
    )
    expect(names.sort()).toEqual(['kept', ...acknowledged].sort())
    expect((await call('GET', `/restapis/${api.id}/resources`)).json).toEqual(resourcesBefore)
    expect(
      ((await call('GET', `/restapis/${api.id}/stages/prod`)).json as { deploymentId: string }).deploymentId,
    ).toBe(deploymentId)

    // Space freed: the same writes succeed, and a new deployment serves them.
    await unlink(filler)
    expect(await putMock('later', '{"later": true}')).toEqual([201, 201, 201, 201, 201])
    expect((await call('POST', `/restapis/${api.id}/deployments`, { stageName: 'prod' })).status).toBe(201)
    const later = await fetch(`${url}/_aws/execute-api/${api.id}/prod/later`)
    expect(await later.json()).toEqual({ later: true })
    const report = await probe.stop()

    // The file on disk is whole, and a restart reads exactly what was acknowledged.
    gateway.kill('SIGTERM')
    expect(await gateway.waitExit()).toBe(0)
    // Checked on a copy: SQLite resolves symbolic links in a path, and /proc/<pid>/root (the
    // namespace case) would lead it out of the namespace. A clean exit has checkpointed the WAL.
    const copyDir = mkdtempSync(join(tmpdir(), 'tollgate-disk-full-copy-'))
    const copy = join(copyDir, 'tollgate.db')
    await copyFile(join(disk.path, 'data', 'tollgate.db'), copy)
    const db = new Database(copy, { readonly: true })
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    db.close()
    rmSync(copyDir, { recursive: true })
    gateway = await spawnTollgate(['--data-dir', dataDir], { prefix: disk.prefix })
    const restarted = (
      (await rawCall(gateway.url, 'GET', '/restapis?limit=500')).json as { item: { name: string }[] }
    ).item
    expect(restarted.map((item) => item.name).sort()).toEqual(['kept', ...acknowledged].sort())
    expect(await (await fetch(`${gateway.url}/_aws/execute-api/${api.id}/prod/later`)).json()).toEqual({
      later: true,
    })

    console.log(
      `disk full: ${MOUNT_SIZE} tmpfs (${disk.how}), ${(filled / 1024).toFixed(0)} KiB of filler, ${acknowledged.length} writes ` +
        `acknowledged before the first refusal; probe ${report.answered} answered, max ${report.maxMs.toFixed(1)} ms`,
    )
    expect(report.failures).toEqual([])
    expect(report.maxMs).toBeLessThan(50)
  }, 60_000)
})
