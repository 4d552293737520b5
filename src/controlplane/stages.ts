import type { Route } from './router.js'

export const stageRoutes: Route[] = []
