import { describe, expect, it } from 'vitest'
import {
  evaluatePolicy,
  methodArn,
  parsePolicy,
  PolicyError,
  wildcardMatch,
  type RequestFacts,
} from '../../src/auth/policy/evaluate.js'

// IAM policy evaluation (IAM User Guide: "IAM JSON policy elements", "Policy evaluation logic").

const ARN = methodArn('us-east-1', '123456789012', 'abc123', 'prod', 'GET', '/pets/1')
const facts = (over: Partial<RequestFacts> = {}): RequestFacts => ({
  action: 'execute-api:Invoke',
  resource: ARN,
  conditionKeys: {},
  ...over,
})
const statement = (effect: string, resource: unknown, extra: object = {}) => ({
  Effect: effect,
  Action: 'execute-api:Invoke',
  Resource: resource,
  ...extra,
})
const decide = (statements: object[], over: Partial<RequestFacts> = {}, requirePrincipal = false) =>
  evaluatePolicy(parsePolicy({ Version: '2012-10-17', Statement: statements }), facts(over), {
    requirePrincipal,
  })

describe('IAM policy evaluation', () => {
  it('builds the method ARN AWS passes to authorizers', () => {
    expect(ARN).toBe('arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/1')
    expect(methodArn('us-east-1', '1', 'a', 's', 'GET', '/')).toBe('arn:aws:execute-api:us-east-1:1:a/s/GET/')
  })

  it('allows a matching Allow, lets an explicit Deny win, and denies implicitly otherwise', () => {
    expect(decide([statement('Allow', ARN)])).toBe('ALLOW')
    expect(decide([statement('Allow', 'arn:aws:execute-api:*:*:abc123/prod/GET/*')])).toBe('ALLOW')
    expect(
      decide([statement('Allow', '*'), statement('Deny', 'arn:aws:execute-api:*:*:abc123/*/GET/pets/*')]),
    ).toBe('DENY')
    expect(decide([statement('Allow', 'arn:aws:execute-api:*:*:abc123/prod/POST/*')])).toBe('IMPLICIT_DENY')
    expect(decide([statement('Allow', '*', { Action: 'execute-api:*' })])).toBe('ALLOW')
    expect(decide([statement('Allow', '*', { Action: 'EXECUTE-API:invoke' })])).toBe('ALLOW')
    // Resources match case-sensitively.
    expect(decide([statement('Allow', ARN.toUpperCase())])).toBe('IMPLICIT_DENY')
    expect(decide([{ Effect: 'Allow', Action: 'execute-api:Invoke', NotResource: ARN }])).toBe(
      'IMPLICIT_DENY',
    )
    expect(
      decide([
        { Effect: 'Allow', Action: 'execute-api:Invoke', NotResource: 'arn:aws:execute-api:*:*:other/*' },
      ]),
    ).toBe('ALLOW')
  })

  it('matches principals and source IP, VPC endpoint conditions as resource policies use them', () => {
    const anyone = { Principal: '*' }
    expect(decide([statement('Allow', '*')], {}, true)).toBe('IMPLICIT_DENY')
    expect(decide([statement('Allow', '*', anyone)], {}, true)).toBe('ALLOW')
    const account = { Principal: { AWS: ['123456789012'] } }
    expect(
      decide(
        [statement('Allow', '*', account)],
        { principalArn: 'arn:aws:iam::123456789012:user/alice' },
        true,
      ),
    ).toBe('ALLOW')
    expect(
      decide(
        [statement('Allow', '*', account)],
        { principalArn: 'arn:aws:iam::999999999999:user/eve' },
        true,
      ),
    ).toBe('IMPLICIT_DENY')
    const ipAllow = [
      statement('Allow', '*', anyone),
      statement('Deny', '*', {
        ...anyone,
        Condition: { NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '2001:db8::/32'] } },
      }),
    ]
    expect(decide(ipAllow, { conditionKeys: { 'aws:SourceIp': '10.1.2.3' } })).toBe('ALLOW')
    expect(decide(ipAllow, { conditionKeys: { 'aws:SourceIp': '2001:db8::1' } })).toBe('ALLOW')
    expect(decide(ipAllow, { conditionKeys: { 'aws:SourceIp': '192.168.0.1' } })).toBe('DENY')
    const vpce = [
      statement('Allow', '*', { ...anyone, Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1' } } }),
    ]
    expect(decide(vpce, { conditionKeys: { 'aws:SourceVpce': 'vpce-1' } })).toBe('ALLOW')
    expect(decide(vpce, { conditionKeys: { 'aws:SourceVpce': 'vpce-2' } })).toBe('IMPLICIT_DENY')
    // A missing key fails a positive operator and satisfies a negated one.
    expect(decide(vpce)).toBe('IMPLICIT_DENY')
    const notVpce = [
      statement('Deny', '*', { ...anyone, Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } } }),
    ]
    expect(decide(notVpce)).toBe('DENY')
    const like = [statement('Allow', '*', { Condition: { StringLike: { 'aws:username': 'dev-*' } } })]
    expect(decide(like, { conditionKeys: { 'aws:username': 'dev-ann' } })).toBe('ALLOW')
  })

  it('refuses documents it cannot evaluate', () => {
    expect(() => parsePolicy('{not json')).toThrow(PolicyError)
    expect(() => parsePolicy({ Statement: [{ Action: 'x', Resource: '*' }] })).toThrow(/Effect/)
    expect(() =>
      parsePolicy({ Statement: [statement('Allow', '*', { Condition: { Fancy: { a: 'b' } } })] }),
    ).toThrow(/Fancy/)
    expect(() => parsePolicy({ Version: '2012-10-17' })).toThrow(/Statement/)
  })

  it('matches wildcards without blowing up on hostile patterns', () => {
    expect(wildcardMatch('a?c*', 'abcdef')).toBe(true)
    expect(wildcardMatch('a?c', 'abcd')).toBe(false)
    expect(wildcardMatch('a*a*a*a*a*a*a*a*b', 'a'.repeat(10_000))).toBe(false)
    expect(wildcardMatch('a*a*a*a*a*a*a*a*b', `${'a'.repeat(10_000)}b`)).toBe(true)
  })
})
