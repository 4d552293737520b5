import { Command, Option } from 'commander'
import { ConfigError, loadConfig } from '../config/config.js'
import { startGateway } from '../server.js'
import { applyProjectFile, registerProjectCommands } from './project-commands.js'
import { registerLogsCommand } from './logs-command.js'

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
    new Option(
      '--store <url>',
      'shared store for several nodes, postgres://user@host:5432/db[?schema=name] (TOLLGATE_STORE; default: SQLite in the data directory)',
    ),
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
  .addOption(
    new Option(
      '--account-rate-limit <rps>',
      'account-level steady rate, requests per second (TOLLGATE_ACCOUNT_RATE_LIMIT, default 10000)',
    ),
  )
  .addOption(
    new Option(
      '--account-burst-limit <n>',
      'account-level burst (TOLLGATE_ACCOUNT_BURST_LIMIT, default 5000)',
    ),
  )
  .addOption(
    new Option(
      '--cognito-issuer-base <url>',
      'serve Cognito user pools from {url}/{poolId} instead of cognito-idp (TOLLGATE_COGNITO_ISSUER_BASE)',
    ),
  )
  .addOption(
    new Option(
      '--cognito-client-ids <ids>',
      'comma-separated app client ids user pool tokens must be issued to (TOLLGATE_COGNITO_CLIENT_IDS)',
    ),
  )
  .addOption(
    new Option(
      '--credentials-file <file>',
      'access keys accepted on SigV4-signed requests, JSON or YAML (TOLLGATE_CREDENTIALS_FILE; default: test/test)',
    ),
  )
  .addOption(
    new Option(
      '--cache-memory-scale <factor>',
      'scale of the stage cache memory budget: cacheClusterSize GB x factor, at most 1 (TOLLGATE_CACHE_MEMORY_SCALE, default 1)',
    ),
  )
  .addOption(
    new Option(
      '--aws-endpoint-url <url>',
      'endpoint for AWS service integrations (TOLLGATE_AWS_ENDPOINT_URL, or AWS_ENDPOINT_URL)',
    ),
  )
  .addOption(
    new Option(
      '--aws-service-endpoints <list>',
      'per-service endpoints, sqs=URL,states=URL (TOLLGATE_AWS_SERVICE_ENDPOINTS, or AWS_ENDPOINT_URL_<SERVICE>)',
    ),
  )
  .addOption(
    new Option(
      '--aws-access-key-id <id>',
      'key AWS service integrations sign with (TOLLGATE_AWS_ACCESS_KEY_ID, or AWS_ACCESS_KEY_ID)',
    ),
  )
  .addOption(
    new Option(
      '--aws-secret-access-key <secret>',
      'its secret (TOLLGATE_AWS_SECRET_ACCESS_KEY, or AWS_SECRET_ACCESS_KEY)',
    ),
  )
  .addOption(
    new Option(
      '--aws-session-token <token>',
      'its session token (TOLLGATE_AWS_SESSION_TOKEN, or AWS_SESSION_TOKEN)',
    ),
  )
  .addOption(
    new Option(
      '--vpc-endpoints <list>',
      'VPC endpoint listeners for private APIs: vpce-ID=HOST:PORT[@vpc-ID][#CIDR|CIDR],... (TOLLGATE_VPC_ENDPOINTS)',
    ),
  )
  .addOption(
    new Option(
      '--vpc-link-targets <list>',
      'backends of VPC link targets: arn=host:port|host:port;... (TOLLGATE_VPC_LINK_TARGETS)',
    ),
  )
  .addOption(
    new Option(
      '--vpc-link-health-interval-ms <ms>',
      'health check interval of VPC link backends (TOLLGATE_VPC_LINK_HEALTH_INTERVAL_MS, default 5000)',
    ),
  )
  .addOption(
    new Option(
      '--stage-revalidate-ms <ms>',
      'how long after a change unused stages and function records are reloaded, so deleted ones are forgotten (TOLLGATE_STAGE_REVALIDATE_MS, default 5000)',
    ),
  )
  .addOption(new Option('--tls-port <port>', 'HTTPS listener for custom domain names (TOLLGATE_TLS_PORT)'))
  .addOption(
    new Option(
      '--domain-certificates <list>',
      'domain=cert.pem:key.pem[:truststore.pem],... for the HTTPS listener; a truststore requires client certificates (TOLLGATE_DOMAIN_CERTIFICATES)',
    ),
  )
  .addOption(
    new Option(
      '--edge-viewer-country <code>',
      'CloudFront-Viewer-Country for edge-optimized APIs (TOLLGATE_EDGE_VIEWER_COUNTRY, default US)',
    ),
  )
  .addOption(
    new Option(
      '--access-log-file <file>',
      "where stages' access log lines go (TOLLGATE_ACCESS_LOG_FILE, default stdout)",
    ),
  )
  .addOption(
    new Option(
      '--otlp-endpoint <url>',
      'send OpenTelemetry spans of stages with tracingEnabled to this OTLP/HTTP traces URL (TOLLGATE_OTLP_ENDPOINT, or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT)',
    ),
  )
  .addOption(
    new Option(
      '--auth',
      'require SigV4-signed management and Lambda API calls from the credentials file keys (TOLLGATE_AUTH)',
    ),
  )
  .addOption(
    new Option(
      '--redis <url>',
      'redis://host:port/db shared by several nodes for throttling, quotas, caches and Lambda concurrency (TOLLGATE_REDIS)',
    ),
  )
  .addOption(
    new Option(
      '--redis-failure-policy <policy>',
      'while Redis is unreachable: open (local limits, cache misses) or closed (503) (TOLLGATE_REDIS_FAILURE_POLICY, default open)',
    ),
  )
  .addOption(
    new Option(
      '--redis-key-prefix <prefix>',
      'prefix of every Redis key (TOLLGATE_REDIS_KEY_PREFIX, default tollgate:)',
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

program
  .command('migrate')
  .description('apply pending schema migrations to the shared store (nodes also migrate at start)')
  .addOption(new Option('--store <url>', 'the PostgreSQL store (TOLLGATE_STORE)'))
  .action(async (options: { store?: string }) => {
    const url = options.store ?? process.env['TOLLGATE_STORE']
    if (!url) {
      process.stderr.write('tollgate migrate: --store postgres://... (or TOLLGATE_STORE) is required\n')
      process.exit(2)
    }
    try {
      const { PostgresConfigStore } = await import('../store/postgres/postgres-store.js')
      const version = await PostgresConfigStore.migrate(url)
      process.stdout.write(`store schema at version ${version}\n`)
    } catch (error) {
      process.stderr.write(`tollgate migrate: ${(error as Error).message}\n`)
      process.exit(1)
    }
  })

registerProjectCommands(program)
registerLogsCommand(program)

// Not awaited at top level: the bundle (scripts/build.ts) is CommonJS. A failure still ends the
// process with the error, as an unhandled rejection.
void program.parseAsync(process.argv)
