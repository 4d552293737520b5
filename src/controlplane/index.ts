import { deploymentRoutes } from './deployments.js'
import { gatewayResponseRoutes } from './gateway-responses.js'
import { integrationRoutes } from './integrations.js'
import { methodRoutes } from './methods.js'
import { modelRoutes } from './models.js'
import { requestValidatorRoutes } from './request-validators.js'
import { resourceRoutes } from './resources.js'
import { restApiRoutes } from './restapis.js'
import type { Route } from './router.js'
import { stageRoutes } from './stages.js'
import { tagRoutes } from './tags.js'
import { exportRoutes } from './exports.js'
import { documentationRoutes } from './documentation.js'
import { apiKeyRoutes } from './apikeys.js'
import { usagePlanRoutes } from './usageplans.js'
import { usageRoutes } from './usage.js'
import { accountRoutes } from './account.js'
import { cacheRoutes } from './cache.js'
import { domainNameRoutes } from './domain-names.js'
import { vpcLinkRoutes } from './vpc-links.js'
import { clientCertificateRoutes } from './client-certificates.js'
import { testInvokeMethodRoute } from './test-invoke.js'
import { authorizerRoutes, testInvokeAuthorizerRoute } from './authorizers.js'
import { lambdaRoutes } from '../lambda/api.js'
import { lambdaConcurrencyRoutes, lambdaVersionRoutes } from '../lambda/api-versions.js'

export { ManagementRouter } from './router.js'
export type { ManagementDeps } from './router.js'
export { handleManagementRequest } from './http.js'

/** Every management operation, one list per resource family. */
export const MANAGEMENT_ROUTES: readonly Route[] = [
  ...restApiRoutes,
  ...resourceRoutes,
  ...methodRoutes,
  ...integrationRoutes,
  ...modelRoutes,
  ...requestValidatorRoutes,
  ...gatewayResponseRoutes,
  ...deploymentRoutes,
  ...stageRoutes,
  ...tagRoutes,
  ...exportRoutes,
  ...documentationRoutes,
  ...apiKeyRoutes,
  ...usagePlanRoutes,
  ...usageRoutes,
  ...accountRoutes,
  ...cacheRoutes,
  ...domainNameRoutes,
  ...vpcLinkRoutes,
  ...clientCertificateRoutes,
  testInvokeMethodRoute,
  ...authorizerRoutes,
  testInvokeAuthorizerRoute,
  ...lambdaRoutes,
  ...lambdaVersionRoutes,
  ...lambdaConcurrencyRoutes,
]
