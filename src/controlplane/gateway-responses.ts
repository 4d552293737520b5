import type { Route } from './router.js'

export const gatewayResponseRoutes: Route[] = []
