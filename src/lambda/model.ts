/** A function's configuration, as GetFunctionConfiguration returns it (AWS Lambda API shapes). */
export interface FunctionConfiguration {
  FunctionName: string
  FunctionArn: string
  Runtime: string
  Role: string
  Handler: string
  CodeSize: number
  Description: string
  Timeout: number
  MemorySize: number
  LastModified: string
  CodeSha256: string
  Version: string
  Environment?: { Variables: Record<string, string> }
  TracingConfig: { Mode: string }
  RevisionId: string
  State: 'Active' | 'Pending' | 'Failed'
  LastUpdateStatus: 'Successful' | 'InProgress' | 'Failed'
  PackageType: 'Zip'
  Architectures: string[]
  EphemeralStorage: { Size: number }
  LoggingConfig: { LogFormat: string; LogGroup: string }
}

/** A function as stored: its configuration and where its unpacked code lives. */
export interface FunctionRecord {
  configuration: FunctionConfiguration
  /** Directory holding the unpacked code of this code version (on the node that stored it). */
  codeDir: string
  /**
   * With a shared store: the `function-code` record of the package (its SHA-256 in hex), which
   * the other nodes unpack under their own data directory before a first invoke.
   */
  codeKey?: string
  /** The resource-based policy (AddPermission statements), kept on $LATEST. */
  policy?: { Version: '2012-10-17'; Id: 'default'; Statement: Record<string, unknown>[] }
  /** The last version number published (on $LATEST). */
  lastVersion?: number
  /** `codeDir` is the developer's own folder, watched and reloaded on change (hot reload). */
  hotReload?: boolean
  /** PutFunctionConcurrency: at most this many environments (0 throttles every invoke). */
  reservedConcurrency?: number
}

/** An alias, as GetAlias returns it. */
export interface FunctionAlias {
  AliasArn: string
  Name: string
  FunctionVersion: string
  Description: string
  RevisionId: string
}

/** The Node.js runtimes served natively. */
export const NODE_RUNTIMES = ['nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x'] as const

/** Every runtime served: Node.js natively, the others through the Lambda Runtime API. */
export const SUPPORTED_RUNTIMES = [
  ...NODE_RUNTIMES,
  'python3.9',
  'python3.10',
  'python3.11',
  'python3.12',
  'python3.13',
  'provided.al2',
  'provided.al2023',
  'provided',
] as const

/** AWS's format for LastModified: `2024-01-31T12:34:56.789+0000`. */
export const lambdaTimestamp = (date = new Date()): string => date.toISOString().replace('Z', '+0000')
