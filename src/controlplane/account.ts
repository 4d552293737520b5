import type { Route } from './router.js'

/**
 * GetAccount (AWS API reference, `Account`): the account-level throttle is Tollgate's
 * configuration (`--account-rate-limit`, `--account-burst-limit`); AWS raises it through Service
 * Quotas, not UpdateAccount. `features` lists UsagePlans as on an account with usage plans on.
 */
export const accountRoutes: Route[] = [
  {
    method: 'GET',
    path: '/account',
    handler: (_req, { config }) =>
      Promise.resolve({
        status: 200,
        body: {
          throttleSettings: { burstLimit: config.accountBurstLimit, rateLimit: config.accountRateLimit },
          features: ['UsagePlans'],
          apiKeyVersion: '4',
        },
      }),
  },
]
