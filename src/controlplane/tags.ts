import type { Route } from './router.js'

export const tagRoutes: Route[] = []
