import type { IntegrationType } from '../model/index.js'
import { apiConfigurationError } from '../dataplane/errors/gateway-error.js'
import { httpIntegration } from './http.js'
import type { Integration } from './integration.js'
import { mockIntegration } from './mock.js'
import { lambdaProxyIntegration } from './lambda-proxy.js'

/** Not served yet: AWS (non-proxy) integrations, to Lambda and to other services. */
const notYetServed: Integration = {
  invoke: () => Promise.reject(apiConfigurationError('integration.type_not_served')),
}

/** Every integration type; `Record` makes the compiler flag a missing one. */
export const INTEGRATIONS: Record<IntegrationType, Integration> = {
  MOCK: mockIntegration,
  HTTP: httpIntegration,
  HTTP_PROXY: httpIntegration,
  AWS: notYetServed,
  AWS_PROXY: lambdaProxyIntegration,
}
