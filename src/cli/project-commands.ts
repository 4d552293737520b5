import { watch, type FSWatcher } from 'node:fs'
import type { Command } from 'commander'
import { ConfigError, loadConfig } from '../config/config.js'
import type { ApplyResult } from '../project/apply.js'
import type { Project } from '../project/project-file.js'
import { startGateway, type Gateway } from '../server.js'

/**
 * The project file's reader (its zod schemas), the SAM / serverless.yml reader and the applier:
 * loaded by the commands that use them rather than by every start (docs/performance.md).
 */
async function projectModules() {
  const [file, tools, apply] = await Promise.all([
    import('../project/project-file.js'),
    import('../project/from-tools.js'),
    import('../project/apply.js'),
  ])
  return {
    loadProject: file.loadProject,
    ProjectFileError: file.ProjectFileError,
    projectFromTool: tools.projectFromTool,
    applyProject: apply.applyProject,
  }
}

function printUrls(result: ApplyResult): void {
  for (const [api, stages] of Object.entries(result.urls)) {
    for (const [stage, url] of Object.entries(stages)) process.stdout.write(`  ${api} (${stage}): ${url}\n`)
  }
  for (const [name, value] of Object.entries(result.apiKeys))
    process.stdout.write(`  API key ${name}: ${value}\n`)
}

/** Loads and applies a project file to a running gateway; problems print `file:line: field: ...` and exit 2. */
export async function applyProjectFile(
  base: string,
  file: string,
  fromTool = false,
): Promise<{ project: Project; result: ApplyResult }> {
  const { loadProject, ProjectFileError, projectFromTool, applyProject } = await projectModules()
  try {
    const project = fromTool ? projectFromTool(file) : loadProject(file)
    const result = await applyProject(base, project)
    return { project, result }
  } catch (error) {
    if (error instanceof ProjectFileError) {
      process.stderr.write(`tollgate: ${error.message}\n`)
      process.exit(2)
    }
    throw error
  }
}

/**
 * Keeps a running gateway in step with a project: a change to the project file or to an OpenAPI
 * file re-applies it (APIs re-imported, stages redeployed); function folders need nothing, they
 * are hot-reloaded. Returns the watchers to close.
 */
export function watchProject(gateway: Gateway, project: Project): FSWatcher[] {
  const files = [
    project.file,
    ...Object.values(project.apis).flatMap((api) => (api.openapiFile ? [api.openapiFile] : [])),
  ]
  let timer: NodeJS.Timeout | undefined
  let running = Promise.resolve()
  const reapply = (): void => {
    clearTimeout(timer)
    timer = setTimeout(() => {
      const started = Date.now()
      running = running
        .then(async () => {
          const { loadProject, applyProject } = await projectModules()
          const next = loadProject(project.file)
          await applyProject(gateway.url, next)
          gateway.log.info({ ms: Date.now() - started }, 'project re-applied')
        })
        .catch((error: unknown) => gateway.log.error({ err: error }, 'project could not be re-applied'))
    }, 100)
  }
  return files.map((file) => watch(file, reapply))
}

/** `tollgate up` and `tollgate dev`. */
export function registerProjectCommands(program: Command): void {
  program
    .command('up')
    .description('create or update everything a project file declares on a running gateway, then deploy')
    .option('--config <file>', 'the project file', 'tollgate.yaml')
    .option('--from <file>', 'a SAM template or a serverless.yml instead of a project file')
    .option('--endpoint <url>', 'the gateway', 'http://127.0.0.1:4566')
    .action(async (options: { config: string; from?: string; endpoint: string }) => {
      const { result } = await applyProjectFile(
        options.endpoint.replace(/\/$/, ''),
        options.from ?? options.config,
        options.from !== undefined,
      )
      process.stdout.write('Deployed:\n')
      printUrls(result)
    })

  program
    .command('dev')
    .description('serve, apply a project file, and keep it applied as its files change')
    .option('--config <file>', 'the project file', 'tollgate.yaml')
    .option('--port <port>', 'port to listen on (TOLLGATE_PORT, default 4566)')
    .option('--data-dir <dir>', 'embedded store directory (TOLLGATE_DATA_DIR, default .tollgate)')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (TOLLGATE_LOG_LEVEL)')
    .action(async (options: { config: string; port?: string; dataDir?: string; logLevel?: string }) => {
      let config
      try {
        config = loadConfig({ port: options.port, dataDir: options.dataDir, logLevel: options.logLevel })
      } catch (error) {
        if (error instanceof ConfigError) {
          process.stderr.write(`tollgate: ${error.message}\n`)
          process.exit(2)
        }
        throw error
      }
      const gateway = await startGateway(config)
      const { project, result } = await applyProjectFile(gateway.url, options.config)
      process.stdout.write(`Serving ${project.file} (watching for changes):\n`)
      printUrls(result)
      const watchers = watchProject(gateway, project)
      const stop = (): void => {
        for (const watcher of watchers) watcher.close()
        gateway.close().then(
          () => process.exit(0),
          () => process.exit(1),
        )
      }
      process.on('SIGTERM', stop)
      process.on('SIGINT', stop)
    })
}
