import { describe, expect, it } from 'vitest'
import { GATEWAY_RESPONSE_TYPES } from '../../../src/model/index.js'
import { GatewayError } from '../../../src/dataplane/errors/gateway-error.js'
import { renderGatewayError } from '../../../src/dataplane/errors/render.js'

// AWS docs "supported-gateway-response-types": the default status of each type; the default body
// template is {"message":$context.error.messageString} for every type.
const AWS_DEFAULT_STATUS: Record<string, number> = {
  ACCESS_DENIED: 403,
  API_CONFIGURATION_ERROR: 500,
  AUTHORIZER_CONFIGURATION_ERROR: 500,
  AUTHORIZER_FAILURE: 500,
  BAD_REQUEST_PARAMETERS: 400,
  BAD_REQUEST_BODY: 400,
  DEFAULT_5XX: 500,
  EXPIRED_TOKEN: 403,
  INTEGRATION_FAILURE: 504,
  INTEGRATION_TIMEOUT: 504,
  INVALID_API_KEY: 403,
  INVALID_SIGNATURE: 403,
  MISSING_AUTHENTICATION_TOKEN: 403,
  QUOTA_EXCEEDED: 429,
  REQUEST_TOO_LARGE: 413,
  RESOURCE_NOT_FOUND: 404,
  THROTTLED: 429,
  UNAUTHORIZED: 401,
  UNSUPPORTED_MEDIA_TYPE: 415,
  WAF_FILTERED: 403,
}

describe('built-in gateway responses', () => {
  for (const type of GATEWAY_RESPONSE_TYPES.filter((t) => t !== 'DEFAULT_4XX')) {
    it(`${type} answers its AWS default status with {"message": ...}`, () => {
      const response = renderGatewayError(
        new GatewayError(type, 'test.render', `message of ${type}`),
        undefined,
        { accountId: '000000000000' },
      )
      expect(response.status).toBe(AWS_DEFAULT_STATUS[type])
      expect(response.body.toString()).toBe(JSON.stringify({ message: `message of ${type}` }))
      expect(response.headers).toContainEqual(['Content-Type', 'application/json'])
      expect(response.headers.some(([name]) => name === 'x-amzn-ErrorType')).toBe(true)
    })
  }
})
