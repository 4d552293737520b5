import type { IntegrationType } from '../model/index.js'
import { httpIntegration } from './http.js'
import type { Integration } from './integration.js'
import { mockIntegration } from './mock.js'
import { awsIntegration } from './aws.js'
import { lambdaProxyIntegration } from './lambda-proxy.js'

/** Every integration type; `Record` makes the compiler flag a missing one. */
export const INTEGRATIONS: Record<IntegrationType, Integration> = {
  MOCK: mockIntegration,
  HTTP: httpIntegration,
  HTTP_PROXY: httpIntegration,
  AWS: awsIntegration,
  AWS_PROXY: lambdaProxyIntegration,
}
