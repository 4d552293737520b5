import type { Route } from './router.js'

export const integrationRoutes: Route[] = []
