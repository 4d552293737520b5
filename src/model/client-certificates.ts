/** A client certificate (AWS `ClientCertificate`), with the private key Tollgate keeps to present it. */
export interface ClientCertificateRecord {
  clientCertificateId: string
  description?: string
  pemEncodedCertificate: string
  createdDate: number
  expirationDate: number
  tags?: Record<string, string>
  /** Never sent to clients (see `clientCertificateView`). */
  privateKeyPem: string
}
