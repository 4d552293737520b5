export const AUTHORIZER_TYPES = ['TOKEN', 'REQUEST', 'COGNITO_USER_POOLS'] as const
export type AuthorizerType = (typeof AUTHORIZER_TYPES)[number]

/** An authorizer of a REST API (AWS `Authorizer` shape). */
export interface Authorizer {
  id: string
  name: string
  type: AuthorizerType
  /** COGNITO_USER_POOLS: the user pool ARNs whose tokens are accepted. */
  providerARNs?: string[]
  /** Free text; OpenAPI's `x-amazon-apigateway-authtype` (`custom`, `cognito_user_pools`, `oauth2`). */
  authType?: string
  /** TOKEN / REQUEST: `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations`. */
  authorizerUri?: string
  authorizerCredentials?: string
  /**
   * TOKEN: `method.request.header.{name}`; REQUEST: a comma-separated list of
   * `method.request.header|querystring.{name}`, `stageVariables.{name}`, `context.{name}`.
   */
  identitySource?: string
  /** TOKEN only: a regular expression the token must match before the function is called. */
  identityValidationExpression?: string
  /** 0 disables caching; AWS's default is 300 when absent. */
  authorizerResultTtlInSeconds?: number
}
