/** A custom domain name (AWS `DomainName` shape, the members Tollgate serves). */
export interface DomainName {
  domainName: string
  certificateName?: string
  certificateArn?: string
  regionalCertificateName?: string
  regionalCertificateArn?: string
  regionalDomainName?: string
  regionalHostedZoneId?: string
  distributionDomainName?: string
  distributionHostedZoneId?: string
  endpointConfiguration: { types: ('EDGE' | 'REGIONAL' | 'PRIVATE')[] }
  domainNameStatus: 'AVAILABLE'
  securityPolicy: 'TLS_1_0' | 'TLS_1_2'
  tags?: Record<string, string>
}

/** A base path mapping (AWS `BasePathMapping`): `(none)` maps the whole domain. */
export interface BasePathMapping {
  basePath: string
  restApiId: string
  stage?: string
}
