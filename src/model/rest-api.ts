/** AWS API Gateway REST (v1) shapes, as the management API returns them. */

export const ENDPOINT_TYPES = ['EDGE', 'REGIONAL', 'PRIVATE'] as const
export type EndpointType = (typeof ENDPOINT_TYPES)[number]
export const IP_ADDRESS_TYPES = ['ipv4', 'dualstack'] as const
export type IpAddressType = (typeof IP_ADDRESS_TYPES)[number]
export const API_KEY_SOURCES = ['HEADER', 'AUTHORIZER'] as const
export type ApiKeySource = (typeof API_KEY_SOURCES)[number]

export interface EndpointConfiguration {
  types: EndpointType[]
  ipAddressType: IpAddressType
  vpcEndpointIds?: string[]
}

export interface RestApi {
  id: string
  name: string
  description?: string
  version?: string
  /** Epoch seconds (the JSON form AWS uses for timestamps). */
  createdDate: number
  binaryMediaTypes?: string[]
  minimumCompressionSize?: number
  apiKeySource: ApiKeySource
  endpointConfiguration: EndpointConfiguration
  policy?: string
  tags?: Record<string, string>
  disableExecuteApiEndpoint: boolean
  rootResourceId: string
  warnings?: string[]
}
