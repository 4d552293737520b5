import type { Route } from './router.js'

export const requestValidatorRoutes: Route[] = []
