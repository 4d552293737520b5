/** A VPC link (AWS `VpcLink` shape): on AWS an NLB's targets; here a configured set of backends. */
export interface VpcLink {
  id: string
  name: string
  description?: string
  targetArns: string[]
  status: 'AVAILABLE' | 'PENDING' | 'DELETING' | 'FAILED'
  statusMessage?: string
  tags?: Record<string, string>
}
