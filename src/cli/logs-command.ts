import type { Command } from 'commander'

interface Entry {
  seq: number
  lines: string[]
}

/** `tollgate logs --api ID --stage NAME [--follow]`: a stage's execution logs from a running gateway. */
export function registerLogsCommand(program: Command): void {
  program
    .command('logs')
    .description("print a stage's execution logs (methodSettings logging/loglevel INFO or ERROR)")
    .requiredOption('--api <id>', 'the REST API id')
    .requiredOption('--stage <name>', 'the stage')
    .option('--follow', 'keep printing new requests as they come')
    .option('--endpoint <url>', 'the gateway', 'http://127.0.0.1:4566')
    .action(async (options: { api: string; stage: string; follow?: boolean; endpoint: string }) => {
      const base = `${options.endpoint.replace(/\/$/, '')}/_tollgate/logs/${encodeURIComponent(options.api)}/${encodeURIComponent(options.stage)}`
      let since = 0
      for (;;) {
        const response = await fetch(`${base}?since=${since}`)
        if (!response.ok) {
          process.stderr.write(`tollgate: ${response.status} from ${base}\n`)
          process.exit(1)
        }
        const { entries } = (await response.json()) as { entries: Entry[] }
        for (const entry of entries) {
          process.stdout.write(`${entry.lines.join('\n')}\n`)
          since = entry.seq
        }
        if (!options.follow) return
        await new Promise((resolve) => setTimeout(resolve, 1_000))
      }
    })
}
