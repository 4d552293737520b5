export type { ConfigStore, ConfigTx, ConfigReader, RecordKind, RecordKinds } from './config-store.js'
export { SqliteConfigStore } from './sqlite/sqlite-store.js'
export { StoreView } from './store-view.js'
export { StoreUnavailableError } from './config-store.js'
