import type {
  ApiKey,
  BasePathMapping,
  ClientCertificateRecord,
  DomainName,
  DeploymentRecord,
  RestApiDocument,
  StageRecord,
  UsagePlan,
  UsagePlanKeyRecord,
  VpcLink,
} from '../model/index.js'
import type { FunctionAlias, FunctionRecord } from '../lambda/model.js'

/**
 * What the store holds, by kind. Each record lives under a scope (`''` for account-level
 * records, the REST API id for records that belong to an API) and an id. Later capabilities
 * (API keys, usage plans, domain names, functions) add their kinds here.
 */
export interface RecordKinds {
  restapi: RestApiDocument
  deployment: DeploymentRecord
  stage: StageRecord
  /** Lambda functions, by name (scope ''). */
  function: FunctionRecord
  /** Published versions of a function (scope: the function name; id: the version number). */
  'function-version': FunctionRecord
  /** Aliases of a function (scope: the function name; id: the alias name). */
  'function-alias': FunctionAlias
  /**
   * A function's code package, kept in a shared store so that every node can unpack it (scope:
   * the function name; id: the package's SHA-256 in hex). Not written to the embedded store.
   */
  'function-code': { key: string; zip: string }
  /** API keys (scope ''). */
  apikey: ApiKey
  /** Usage plans (scope ''). */
  usageplan: UsagePlan
  /** Keys of a usage plan (scope: the plan id; id: the key id). */
  usageplankey: UsagePlanKeyRecord
  /** Custom domain names (scope ''; id: the domain name). */
  domainname: DomainName
  /** Base path mappings of a domain (scope: the domain name; id: the base path, `(none)` for none). */
  basepathmapping: BasePathMapping
  /** VPC links (scope ''). */
  vpclink: VpcLink
  /** Client certificates (scope ''). */
  clientcertificate: ClientCertificateRecord
}
export type RecordKind = keyof RecordKinds

/** Reads inside a transaction see the transaction's own writes. */
export interface ConfigReader {
  get<K extends RecordKind>(kind: K, scope: string, id: string): Promise<RecordKinds[K] | undefined>
  /** Records of a kind under a scope, oldest first. */
  list<K extends RecordKind>(kind: K, scope: string): Promise<RecordKinds[K][]>
}

export interface ConfigTx extends ConfigReader {
  put<K extends RecordKind>(kind: K, scope: string, id: string, value: RecordKinds[K]): Promise<void>
  /** Says whether a record was removed. */
  delete(kind: RecordKind, scope: string, id: string): Promise<boolean>
  /** Removes every record under a scope (all kinds), e.g. a deleted API's stages and deployments. */
  deleteScope(scope: string): Promise<void>
}

/**
 * The configuration store: REST APIs, deployments, stages, and later every other management
 * object. Implementations: SQLite (embedded, default) and PostgreSQL (scale-out). Nothing above
 * this interface knows which one runs.
 */
export interface ConfigStore {
  /** True when other nodes share this store (PostgreSQL): then it also holds Lambda code. */
  readonly shared: boolean
  /**
   * Runs `fn` in one transaction: every write commits together, or, when `fn` throws, none does
   * and the error is rethrown. Transactions are serialisable.
   */
  transaction<T>(fn: (tx: ConfigTx) => Promise<T>): Promise<T>
  /** Runs `fn` against a consistent view of committed data. */
  read<T>(fn: (reader: ConfigReader) => Promise<T>): Promise<T>
  /** A number that grows with every committed write: caches compare it to know they are stale. */
  revision(): Promise<number>
  /**
   * Calls `listener` after every committed write (here, or on another node for a shared store),
   * with the new revision. Returns the function that unsubscribes.
   */
  onChange(listener: (revision: number) => void): () => void
  /** Whether the store answers now (readiness). */
  ping(): Promise<boolean>
  /** Closes the underlying connections; holds the database file open until then. */
  close(): Promise<void>
}

/**
 * The store cannot be reached (a shared store's server is down or the connection dropped) or
 * cannot take a write now (the embedded store's disk is full): the operation changed nothing and
 * may be retried. The management API answers 503 for it.
 */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`store unavailable: ${(cause as Error)?.message ?? String(cause)}`, { cause })
  }
}
