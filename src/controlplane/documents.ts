import type { TollgateConfig } from '../config/config.js'
import type { RestApiDocument } from '../model/index.js'
import type { ConfigReader, ConfigTx } from '../store/index.js'
import { notFound } from './api-error.js'

/** AWS's answer for an unknown API: "Invalid API identifier specified {account}:{apiId}". */
export function apiNotFound(config: TollgateConfig, apiId: string): Error {
  return notFound(`Invalid API identifier specified ${config.accountId}:${apiId}`)
}

/**
 * Loads an API's document or throws. Operations on sub-resources answer an unknown API with
 * their own text (a method on an unknown API is "Invalid Resource identifier specified", as
 * recorded), so they pass `missing`.
 */
export async function loadApi(
  reader: ConfigReader,
  config: TollgateConfig,
  apiId: string,
  missing: () => Error = () => apiNotFound(config, apiId),
): Promise<RestApiDocument> {
  const doc = await reader.get('restapi', '', apiId)
  if (!doc) throw missing()
  return doc
}

export function saveApi(tx: ConfigTx, doc: RestApiDocument): Promise<void> {
  return tx.put('restapi', '', doc.api.id, doc)
}
