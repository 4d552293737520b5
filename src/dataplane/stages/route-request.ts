import type { HttpMethod } from '../../model/index.js'
import { GatewayError, missingAuthenticationToken } from '../errors/gateway-error.js'
import { canonicalPath } from '../routing/canonical.js'
import { matchResource } from '../routing/match.js'
import type { Stage } from '../stage.js'

/** Methods ANY stands for (AWS docs "set up a method"; GET does not imply HEAD when both are explicit). */
const ANY_COVERS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'])

/**
 * A path with a `.` or `..` segment: refused with 400 before routing, as the front door refuses
 * other ambiguous requests (Tollgate's choice; AWS documents no answer). Customisable through
 * DEFAULT_4XX.
 */
const dotSegment = (): GatewayError =>
  new GatewayError('DEFAULT_4XX', 'route.dot_segment', 'Bad Request', {
    status: 400,
    errorType: 'BadRequestException',
  })

/**
 * Picks the resource and method. AWS answers an unknown path *or* an unmapped method with 403
 * "Missing Authentication Token", never 404/405 (recorded: test_routing_not_found "not-found",
 * "wrong-method").
 */
export const routeRequest: Stage = {
  name: 'routeRequest',
  run(ctx) {
    const { deployment } = ctx.target
    const path = canonicalPath(ctx.request.path)
    if (path === undefined) throw dotSegment()
    const found = matchResource(deployment.routes, path)
    const resource = found && deployment.resources.get(found.resourceId)
    if (!found || !resource) throw missingAuthenticationToken('route.no_resource')
    const requested = ctx.request.method as HttpMethod
    const explicit = resource.methods[requested]
    const any = ANY_COVERS.has(requested) ? resource.methods.ANY : undefined
    const method = explicit ?? any
    if (!method) throw missingAuthenticationToken('route.no_method')
    ctx.match = {
      resource,
      method,
      methodKey: explicit ? requested : 'ANY',
      pathParameters: found.pathParameters,
      canonicalPath: path,
    }
    return 'continue'
  },
}
