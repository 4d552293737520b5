import { BlockList, isIP } from 'node:net'

/**
 * IAM policy evaluation for API Gateway: the policy a Lambda authorizer returns and a REST API's
 * resource policy (AWS IAM User Guide, "IAM JSON policy elements" and "Policy evaluation logic":
 * an explicit Deny wins, then an Allow, else the request is implicitly denied).
 */
export type PolicyDecision = 'ALLOW' | 'DENY' | 'IMPLICIT_DENY'

/** A policy document that cannot be evaluated (AWS answers 500 for an authorizer's). */
export class PolicyError extends Error {}

export interface RequestFacts {
  /** `execute-api:Invoke` */
  action: string
  /** The method ARN. */
  resource: string
  /** The caller's ARN, for `Principal` (IAM-authorised requests). */
  principalArn?: string
  /** Condition keys: `aws:SourceIp`, `aws:SourceVpce`, `aws:PrincipalArn`, ... */
  conditionKeys: Readonly<Record<string, string | undefined>>
}

interface Statement {
  effect: 'Allow' | 'Deny'
  actions?: string[]
  notActions?: string[]
  resources?: string[]
  notResources?: string[]
  /** undefined: no Principal element (an authorizer policy); `['*']` anyone. */
  principals?: string[]
  notPrincipals?: string[]
  conditions: { operator: string; key: string; values: string[] }[]
}

export interface Policy {
  statements: Statement[]
}

const list = (value: unknown, what: string): string[] | undefined => {
  if (value === undefined) return undefined
  const items = Array.isArray(value) ? value : [value]
  if (!items.every((v) => typeof v === 'string'))
    throw new PolicyError(`${what} must be a string or a list of strings`)
  return items
}

/** `"*"`, `{"AWS": "..."}` or `{"AWS": [...]}` (other principal types never match an execute-api caller). */
function principals(value: unknown, what: string): string[] | undefined {
  if (value === undefined) return undefined
  if (value === '*') return ['*']
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new PolicyError(`${what} must be "*" or an object`)
  return Object.entries(value as Record<string, unknown>).flatMap(([type, ids]) =>
    type === 'AWS' ? (list(ids, what) ?? []) : [],
  )
}

const OPERATORS = new Set([
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
  'IpAddress',
  'NotIpAddress',
  'Bool',
  'Null',
])

/** Reads a policy (an object or its JSON text); throws PolicyError when it is not one. */
export function parsePolicy(input: unknown): Policy {
  let document = input
  if (typeof input === 'string') {
    try {
      document = JSON.parse(input)
    } catch {
      throw new PolicyError('the policy is not JSON')
    }
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document))
    throw new PolicyError('the policy is not an object')
  const raw = (document as Record<string, unknown>)['Statement']
  if (raw === undefined) throw new PolicyError('the policy has no Statement')
  const statements = (Array.isArray(raw) ? raw : [raw]).map((item, i): Statement => {
    if (item === null || typeof item !== 'object' || Array.isArray(item))
      throw new PolicyError(`Statement ${i} is not an object`)
    const s = item as Record<string, unknown>
    const effect = s['Effect']
    if (effect !== 'Allow' && effect !== 'Deny')
      throw new PolicyError(`Statement ${i} has no Effect Allow or Deny`)
    const conditions: Statement['conditions'] = []
    const condition = s['Condition']
    if (condition !== undefined) {
      if (condition === null || typeof condition !== 'object')
        throw new PolicyError(`Statement ${i}: bad Condition`)
      for (const [operator, keys] of Object.entries(condition as Record<string, unknown>)) {
        const base = operator.replace(/IfExists$/, '')
        if (!OPERATORS.has(base))
          throw new PolicyError(`Statement ${i}: unsupported condition operator ${operator}`)
        if (keys === null || typeof keys !== 'object')
          throw new PolicyError(`Statement ${i}: bad ${operator}`)
        for (const [key, values] of Object.entries(keys as Record<string, unknown>)) {
          const strings = (Array.isArray(values) ? values : [values]).map((v) => String(v))
          conditions.push({ operator, key, values: strings })
        }
      }
    }
    const statement: Statement = { effect, conditions }
    const set = <K extends keyof Statement>(key: K, value: Statement[K] | undefined): void => {
      if (value !== undefined) statement[key] = value
    }
    set('actions', list(s['Action'], 'Action'))
    set('notActions', list(s['NotAction'], 'NotAction'))
    set('resources', list(s['Resource'], 'Resource'))
    set('notResources', list(s['NotResource'], 'NotResource'))
    set('principals', principals(s['Principal'], 'Principal'))
    set('notPrincipals', principals(s['NotPrincipal'], 'NotPrincipal'))
    if (!statement.actions && !statement.notActions) throw new PolicyError(`Statement ${i} has no Action`)
    if (!statement.resources && !statement.notResources)
      throw new PolicyError(`Statement ${i} has no Resource`)
    return statement
  })
  return { statements }
}

/**
 * IAM's wildcard match: `*` any run of characters, `?` one. Iterative with one backtrack point,
 * so a hostile pattern costs O(pattern × text), never exponential (policies are user input).
 */
export function wildcardMatch(pattern: string, text: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern
  const t = ignoreCase ? text.toLowerCase() : text
  let pi = 0
  let ti = 0
  let star = -1
  let mark = 0
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === t[ti])) {
      pi++
      ti++
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++
      mark = ti
    } else if (star !== -1) {
      pi = star + 1
      ti = ++mark
    } else return false
  }
  while (p[pi] === '*') pi++
  return pi === p.length
}

/** An account id in a Principal names every principal of that account. */
function principalMatches(ids: string[], arn: string | undefined): boolean {
  return ids.some((id) => {
    if (id === '*') return true
    if (arn === undefined) return false
    if (/^\d{12}$/.test(id)) return arn.split(':')[4] === id
    if (/^arn:aws[\w-]*:iam::\d{12}:root$/.test(id)) return arn.split(':')[4] === id.split(':')[4]
    return wildcardMatch(id, arn)
  })
}

function inCidr(ip: string, cidr: string): boolean {
  const family = isIP(ip)
  if (family === 0) return false
  const [network = '', bits] = cidr.split('/')
  const netFamily = isIP(network)
  if (netFamily === 0) return false
  const blocks = new BlockList()
  const type = netFamily === 6 ? 'ipv6' : 'ipv4'
  if (bits === undefined) blocks.addAddress(network, type)
  else blocks.addSubnet(network, Number(bits), type)
  return blocks.check(ip, family === 6 ? 'ipv6' : 'ipv4')
}

/** One condition (several values: any may match; a negated operator: none may). */
function conditionHolds(c: Statement['conditions'][number], facts: RequestFacts): boolean {
  const ifExists = c.operator.endsWith('IfExists')
  const operator = c.operator.replace(/IfExists$/, '')
  const actual =
    facts.conditionKeys[c.key] ??
    Object.entries(facts.conditionKeys).find(([k]) => k.toLowerCase() === c.key.toLowerCase())?.[1]
  if (operator === 'Null') return c.values.some((v) => (v === 'true') === (actual === undefined))
  // A missing key: a positive operator fails, a negated one (StringNotEquals, NotIpAddress) holds.
  if (actual === undefined) return ifExists || operator.includes('Not')
  const any = (test: (v: string) => boolean): boolean => c.values.some(test)
  switch (operator) {
    case 'StringEquals':
    case 'ArnEquals':
      return any((v) => v === actual)
    case 'StringNotEquals':
    case 'ArnNotEquals':
      return !any((v) => v === actual)
    case 'StringEqualsIgnoreCase':
      return any((v) => v.toLowerCase() === actual.toLowerCase())
    case 'StringNotEqualsIgnoreCase':
      return !any((v) => v.toLowerCase() === actual.toLowerCase())
    case 'StringLike':
    case 'ArnLike':
      return any((v) => wildcardMatch(v, actual))
    case 'StringNotLike':
    case 'ArnNotLike':
      return !any((v) => wildcardMatch(v, actual))
    case 'IpAddress':
      return any((v) => inCidr(actual, v))
    case 'NotIpAddress':
      return !any((v) => inCidr(actual, v))
    case 'Bool':
      return any((v) => v.toLowerCase() === actual.toLowerCase())
    default:
      return false
  }
}

function statementApplies(s: Statement, facts: RequestFacts, requirePrincipal: boolean): boolean {
  if (s.actions && !s.actions.some((a) => wildcardMatch(a, facts.action, true))) return false
  if (s.notActions?.some((a) => wildcardMatch(a, facts.action, true))) return false
  if (s.resources && !s.resources.some((r) => wildcardMatch(r, facts.resource))) return false
  if (s.notResources?.some((r) => wildcardMatch(r, facts.resource))) return false
  if (s.principals ? !principalMatches(s.principals, facts.principalArn) : requirePrincipal) return false
  if (s.notPrincipals && principalMatches(s.notPrincipals, facts.principalArn)) return false
  return s.conditions.every((c) => conditionHolds(c, facts))
}

/**
 * The decision for one request. `requirePrincipal` (resource policies) makes a statement without
 * a Principal match nobody; an authorizer's policy has none and applies to its caller.
 */
export function evaluatePolicy(
  policy: Policy,
  facts: RequestFacts,
  options: { requirePrincipal?: boolean } = {},
): PolicyDecision {
  let allowed = false
  for (const statement of policy.statements) {
    if (!statementApplies(statement, facts, options.requirePrincipal ?? false)) continue
    if (statement.effect === 'Deny') return 'DENY'
    allowed = true
  }
  return allowed ? 'ALLOW' : 'IMPLICIT_DENY'
}

/**
 * The method ARN AWS passes to authorizers and matches policies against:
 * `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`, the path without its
 * leading slash (`.../prod/GET/` for the root). The path is the one routing matched: leading
 * slashes and one trailing slash do not count (`//secret/` is the resource `/secret`), so they
 * cannot step around a Deny written for `/secret` either.
 */
export function methodArn(
  region: string,
  account: string,
  apiId: string,
  stage: string,
  method: string,
  path: string,
): string {
  const resourcePath = path.replace(/^\/+/, '').replace(/\/$/, '')
  return `arn:aws:execute-api:${region}:${account}:${apiId}/${stage}/${method}/${resourcePath}`
}
