import { apiConfigurationError } from '../dataplane/errors/gateway-error.js'
import type { Integration } from './integration.js'

/**
 * MOCK: the request template's output names the status (`{"statusCode": 200}`), which selects
 * the integration response; there is no body. A template without a valid statusCode is an API
 * configuration error (500), as AWS answers (AWS docs "how-to-mock-integration").
 */
export const mockIntegration: Integration = {
  invoke(req) {
    let statusCode: unknown
    try {
      statusCode = (JSON.parse(req.body.toString('utf8') || 'null') as { statusCode?: unknown } | null)
        ?.statusCode
    } catch (error) {
      return Promise.reject(apiConfigurationError('mock.template_not_json', error))
    }
    const status = typeof statusCode === 'string' ? Number(statusCode) : statusCode
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
      return Promise.reject(apiConfigurationError('mock.no_status_code'))
    }
    return Promise.resolve({ status, headers: [], body: Buffer.alloc(0) })
  },
}
