import type { Route } from './router.js'

export const methodRoutes: Route[] = []
