import { describe, expect, it } from 'vitest'
import { functionFromUri } from '../../src/integrations/lambda/function-uri.js'

// AWS docs "set-up-lambda-integrations" (the integration URI) and "aws-api-gateway-stage-variables-reference"
// (`function:${stageVariables.fn}`, `function:name:${stageVariables.alias}`).
const uri = (fn: string): string =>
  `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fn}/invocations`

describe('functionFromUri', () => {
  it('names the function and qualifier, the same on every call, per stage variable value', () => {
    const withVariables = uri('arn:aws:lambda:us-east-1:000000000000:function:${stageVariables.fn}')
    for (let i = 0; i < 2; i++) {
      expect(functionFromUri(withVariables, { fn: 'one' })).toEqual({ name: 'one' })
      expect(functionFromUri(withVariables, { fn: 'two:live' })).toEqual({ name: 'two', qualifier: 'live' })
      expect(functionFromUri(uri('arn:aws:lambda:us-east-1:000000000000:function:f:7'), {})).toEqual({
        name: 'f',
        qualifier: '7',
      })
      expect(functionFromUri(uri('plain-name'), {})).toEqual({ name: 'plain-name' })
    }
  })

  it('names no function for a URI that holds none, every time', () => {
    for (let i = 0; i < 2; i++) {
      expect(functionFromUri(undefined, {})).toBeUndefined()
      expect(functionFromUri('http://example.com/', {})).toBeUndefined()
      expect(
        functionFromUri(uri('arn:aws:lambda:us-east-1:000000000000:function:${stageVariables.fn}'), {}),
      ).toBeUndefined()
      expect(functionFromUri(uri('bad%zz'), {})).toBeUndefined()
      expect(functionFromUri(uri('has space'), {})).toBeUndefined()
    }
  })
})
