import { z } from 'zod'

/** The one configuration object, loaded and validated at boot and passed down. */
export interface TollgateConfig {
  port: number
  host: string
  /** Where the embedded store keeps its files; `:memory:` keeps nothing. */
  dataDir: string
  region: string
  accountId: string
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** Deploy the demo API at start-up. */
  demo: boolean
  /** Milliseconds given to in-flight requests on shutdown before connections are cut. */
  shutdownGraceMs: number
  /** Delay before the first retry of a failed asynchronous (Event) invoke; the second waits twice as long. AWS: about 1 and 2 minutes. */
  lambdaAsyncRetryDelayMs: number
  /**
   * Require a Lambda resource policy allowing apigateway.amazonaws.com (with a matching SourceArn)
   * before an integration without credentials may invoke a function, as AWS does. Off by default
   * for local development.
   */
  enforceLambdaPermissions: boolean
}

const schema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(4566),
  host: z.string().min(1).default('127.0.0.1'),
  dataDir: z.string().min(1).default('.tollgate'),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must look like us-east-1')
    .default('us-east-1'),
  accountId: z
    .string()
    .regex(/^\d{12}$/, 'must be 12 digits')
    .default('000000000000'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  demo: z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
    .transform((v) => v === true || v === 'true' || v === '1')
    .default(false),
  shutdownGraceMs: z.coerce.number().int().min(0).default(10_000),
  lambdaAsyncRetryDelayMs: z.coerce.number().int().min(0).default(60_000),
  enforceLambdaPermissions: z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
    .transform((v) => v === true || v === 'true' || v === '1')
    .default(false),
})

/** Thrown for configuration that cannot start a gateway; the CLI prints it and exits 2. */
export class ConfigError extends Error {
  readonly code = 'TOLLGATE_BAD_CONFIG'
}

const ENV: Record<keyof TollgateConfig, string> = {
  port: 'TOLLGATE_PORT',
  host: 'TOLLGATE_HOST',
  dataDir: 'TOLLGATE_DATA_DIR',
  region: 'TOLLGATE_REGION',
  accountId: 'TOLLGATE_ACCOUNT_ID',
  logLevel: 'TOLLGATE_LOG_LEVEL',
  demo: 'TOLLGATE_DEMO',
  shutdownGraceMs: 'TOLLGATE_SHUTDOWN_GRACE_MS',
  lambdaAsyncRetryDelayMs: 'TOLLGATE_LAMBDA_ASYNC_RETRY_DELAY_MS',
  enforceLambdaPermissions: 'TOLLGATE_ENFORCE_LAMBDA_PERMISSIONS',
}

/**
 * Builds the configuration from (highest first) explicit options, `TOLLGATE_*` environment
 * variables and defaults. This is the only place that reads the environment.
 */
export function loadConfig(
  options: Partial<Record<keyof TollgateConfig, unknown>> = {},
  env: NodeJS.ProcessEnv = process.env,
): TollgateConfig {
  const merged: Record<string, unknown> = {}
  for (const key of Object.keys(ENV) as (keyof TollgateConfig)[]) {
    const fromEnv = env[ENV[key]]
    const value = options[key] ?? (fromEnv === '' ? undefined : fromEnv)
    if (value !== undefined) merged[key] = value
  }
  const parsed = schema.safeParse(merged)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = issue.path[0] as keyof TollgateConfig
      return `${key} (--${kebab(key)} / ${ENV[key]}): ${issue.message}`
    })
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`)
  }
  return parsed.data
}

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
