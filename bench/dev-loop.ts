/**
 * bench/dev-loop: with `tollgate dev` serving examples/petstore-project, the time from saving a
 * file to the new behaviour answering: an edited handler (hot reload) and an edited OpenAPI file
 * (re-import and redeploy). Polls every 5 ms; medians of 5 edits each.
 *
 *   npx tsx bench/dev-loop.ts
 */
import { spawn } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const dir = mkdtempSync(join(tmpdir(), 'tollgate-devloop-'))
cpSync(new URL('../examples/petstore-project/', import.meta.url).pathname, dir, { recursive: true })
const bin = new URL('../bin/tollgate.js', import.meta.url).pathname
const child = spawn(
  process.execPath,
  [
    bin,
    'dev',
    '--config',
    join(dir, 'tollgate.yaml'),
    '--port',
    '0',
    '--data-dir',
    join(dir, '.data'),
    '--log-level',
    'warn',
  ],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
)
let output = ''
child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))

async function until(check: () => Promise<boolean>): Promise<number> {
  const started = performance.now()
  while (!(await check())) {
    if (performance.now() - started > 10_000) throw new Error('no change within 10 s')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  return performance.now() - started
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN

try {
  await until(() => Promise.resolve(/greetings \(dev\): (\S+)/.test(output)))
  const url = /greetings \(dev\): (\S+)/.exec(output)?.[1] ?? ''
  const handlerTimes: number[] = []
  const apiTimes: number[] = []
  for (let i = 1; i <= 5; i++) {
    writeFileSync(
      join(dir, 'functions/hello/index.js'),
      `exports.handler = async () => ({ statusCode: 200, body: 'edit ${i}' })\n`,
    )
    handlerTimes.push(await until(async () => (await (await fetch(`${url}hello`)).text()) === `edit ${i}`))
    const openapi = join(dir, 'openapi.yaml')
    writeFileSync(openapi, readFileSync(openapi, 'utf8').replace(/"status": "[^"]*"/, `"status": "v${i}"`))
    apiTimes.push(
      await until(
        async () => ((await (await fetch(`${url}status`)).json()) as { status: string }).status === `v${i}`,
      ),
    )
  }
  process.stdout.write(
    [
      `| edit | median ms | all (ms) |`,
      `| --- | ---: | --- |`,
      `| handler file (hot reload) | ${median(handlerTimes).toFixed(0)} | ${handlerTimes.map((t) => t.toFixed(0)).join(', ')} |`,
      `| OpenAPI file (re-import + redeploy) | ${median(apiTimes).toFixed(0)} | ${apiTimes.map((t) => t.toFixed(0)).join(', ')} |`,
    ].join('\n') + '\n',
  )
} finally {
  child.kill('SIGKILL')
}
