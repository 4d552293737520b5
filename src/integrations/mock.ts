import { apiConfigurationError } from '../dataplane/errors/gateway-error.js'
import { EMPTY_BODY } from '../dataplane/request.js'
import type { Integration } from './integration.js'

/**
 * MOCK: the request template's output names the status (`{"statusCode": 200}`), which selects
 * the integration response; there is no body. A template without a valid statusCode is an API
 * configuration error (500), as AWS answers (AWS docs "how-to-mock-integration").
 */
export const mockIntegration: Integration = {
  invoke(req) {
    const text = req.body.toString('utf8')
    let status = statusByTemplateOutput.get(text)
    if (status === undefined) {
      let statusCode: unknown
      try {
        statusCode = (JSON.parse(text || 'null') as { statusCode?: unknown } | null)?.statusCode
      } catch (error) {
        return Promise.reject(apiConfigurationError('mock.template_not_json', error))
      }
      const parsed = typeof statusCode === 'string' ? Number(statusCode) : statusCode
      if (typeof parsed !== 'number' || !Number.isInteger(parsed) || parsed < 100 || parsed > 599) {
        return Promise.reject(apiConfigurationError('mock.no_status_code'))
      }
      status = parsed
      if (text.length <= 256) {
        if (statusByTemplateOutput.size >= 1_000) statusByTemplateOutput.clear()
        statusByTemplateOutput.set(text, status)
      }
    }
    return Promise.resolve({ status, headers: [], body: EMPTY_BODY })
  },
}

/**
 * The status of each request template output seen lately (most MOCK templates are constant, such
 * as `{"statusCode": 200}`): parsing it per request was ~0.7% of a MOCK request's CPU. Only
 * outputs that name a valid status are kept, up to 1,000 of up to 256 characters.
 */
const statusByTemplateOutput = new Map<string, number>()
