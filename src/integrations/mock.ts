import { apiConfigurationError } from '../dataplane/errors/gateway-error.js'
import { EMPTY_BODY } from '../dataplane/request.js'
import { BoundedCache } from '../model/bounded-cache.js'
import type { Integration } from './integration.js'

/**
 * MOCK: the request template's output names the status (`{"statusCode": 200}`), which selects
 * the integration response; there is no body. A template without a valid statusCode is an API
 * configuration error (500), as AWS answers (AWS docs "how-to-mock-integration").
 */
export const mockIntegration: Integration = {
  invoke(req) {
    // A throw in the executor (no valid status) rejects the promise.
    return new Promise((resolve) => {
      const text = req.body.toString('utf8')
      const status = statusByTemplateOutput.get(text, statusOf, text.length <= 256)
      resolve({ status, headers: [], body: EMPTY_BODY })
    })
  },
}

/**
 * The status of each request template output seen lately (most MOCK templates are constant, such
 * as `{"statusCode": 200}`): parsing it per request was ~0.7% of a MOCK request's CPU. Only
 * outputs that name a valid status are kept, up to 1,000 of up to 256 characters.
 */
const statusByTemplateOutput = new BoundedCache<string, number>(1_000)

/** The status a template's output names; a configuration error without a valid one. */
function statusOf(text: string): number {
  let statusCode: unknown
  try {
    statusCode = (JSON.parse(text || 'null') as { statusCode?: unknown } | null)?.statusCode
  } catch (error) {
    throw apiConfigurationError('mock.template_not_json', error)
  }
  const status = typeof statusCode === 'string' ? Number(statusCode) : statusCode
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599)
    throw apiConfigurationError('mock.no_status_code')
  return status
}
