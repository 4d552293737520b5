import { describe, expect, it } from 'vitest'
import { parseQuery } from '../../../src/dataplane/request.js'
import {
  missingParameters,
  missingParametersMessage,
  requiredParameterKeys,
  type ParameterSource,
} from '../../../src/dataplane/validation/parameters.js'

const KEYS = requiredParameterKeys({
  'method.request.querystring.qs1': true,
  'method.request.path.issuer': true,
  'method.request.header.x-header-param': true,
  'method.request.querystring.optional': false,
})

const source = (over: Partial<ParameterSource> = {}): ParameterSource => ({
  pathParameters: {},
  query: new Map(),
  headers: [],
  ...over,
})

describe('required request parameters', () => {
  it('names every missing parameter in the recorded AWS order', () => {
    // Recorded: test_apigateway_common.snapshot.json "missing-all-required-request-params-post".
    expect(missingParametersMessage(missingParameters(KEYS, source()))).toBe(
      'Missing required request parameters: [x-header-param, issuer, qs1]',
    )
  })

  it('finds headers case-insensitively and counts a blank header as missing', () => {
    const present = source({ headers: [['X-Header-Param', 'v']], pathParameters: { issuer: 'i' } })
    expect(missingParameters(KEYS, present)).toEqual(['qs1'])
    const blank = source({ headers: [['x-header-param', '  ']] })
    expect(missingParameters(KEYS, blank)).toEqual(['x-header-param', 'issuer', 'qs1'])
  })

  it('counts a query parameter sent empty as present', () => {
    for (const raw of ['qs1=', 'qs1', 'qs1=a&qs1=']) {
      expect(missingParameters(KEYS, source({ query: parseQuery(raw) }))).toEqual([
        'x-header-param',
        'issuer',
      ])
    }
  })

  it('keeps names that contain dots', () => {
    const keys = requiredParameterKeys({ 'method.request.header.x.trace.id': true })
    expect(missingParameters(keys, source())).toEqual(['x.trace.id'])
    expect(missingParameters(keys, source({ headers: [['X.Trace.Id', '1']] }))).toEqual([])
  })
})
