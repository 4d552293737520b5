import { Command, Option } from 'commander'
import { ConfigError, loadConfig } from '../config/config.js'
import { startGateway } from '../server.js'
import { applyProjectFile, registerProjectCommands } from './project-commands.js'

const program = new Command()
  .name('tollgate')
  .description('A self-hosted API gateway that speaks the AWS API Gateway REST API')

program
  .command('serve')
  .description('start the gateway (management API, data plane) on one port')
  .addOption(new Option('--port <port>', 'port to listen on (TOLLGATE_PORT, default 4566)'))
  .addOption(new Option('--host <host>', 'address to bind (TOLLGATE_HOST, default 127.0.0.1)'))
  .addOption(
    new Option('--data-dir <dir>', 'embedded store directory (TOLLGATE_DATA_DIR, default .tollgate)'),
  )
  .addOption(
    new Option('--region <region>', 'AWS region reported in ARNs (TOLLGATE_REGION, default us-east-1)'),
  )
  .addOption(
    new Option(
      '--account-id <id>',
      'account id reported in ARNs (TOLLGATE_ACCOUNT_ID, default 000000000000)',
    ),
  )
  .addOption(
    new Option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (TOLLGATE_LOG_LEVEL)'),
  )
  .addOption(new Option('--demo', 'deploy the demo API at start-up (TOLLGATE_DEMO)'))
  .addOption(
    new Option(
      '--shutdown-grace-ms <ms>',
      'how long in-flight requests may run after SIGTERM/SIGINT (TOLLGATE_SHUTDOWN_GRACE_MS, default 10000)',
    ),
  )
  .addOption(
    new Option(
      '--lambda-async-retry-delay-ms <ms>',
      'delay before retrying a failed Event invoke (TOLLGATE_LAMBDA_ASYNC_RETRY_DELAY_MS, default 60000)',
    ),
  )
  .addOption(
    new Option(
      '--enforce-lambda-permissions',
      'require Lambda resource policies for API Gateway invokes (TOLLGATE_ENFORCE_LAMBDA_PERMISSIONS)',
    ),
  )
  .addOption(new Option('--config <file>', 'apply a project file (tollgate.yaml) at start'))
  .action(async (options: Record<string, unknown>) => {
    let config
    try {
      config = loadConfig(options)
    } catch (error) {
      if (error instanceof ConfigError) {
        process.stderr.write(`tollgate: ${error.message}\n`)
        process.exit(2)
      }
      throw error
    }
    const gateway = await startGateway(config)
    if (typeof options['config'] === 'string') await applyProjectFile(gateway.url, options['config'])
    if (config.demo) {
      const { deployDemo } = await import('./demo.js')
      await deployDemo(gateway)
    }
    let stopping = false
    const stop = (signal: string): void => {
      if (stopping) return
      stopping = true
      gateway.log.info({ signal }, 'shutting down')
      gateway.close().then(
        () => process.exit(0),
        (error: unknown) => {
          gateway.log.error({ err: error }, 'shutdown failed')
          process.exit(1)
        },
      )
    }
    process.on('SIGTERM', () => stop('SIGTERM'))
    process.on('SIGINT', () => stop('SIGINT'))
  })

registerProjectCommands(program)

await program.parseAsync(process.argv)
