import type { IntegrationType } from '../model/index.js'
import { badRequest } from './api-error.js'

/**
 * Checks an integration URI as AWS does at PutIntegration (messages recorded in
 * test_apigateway_integrations.snapshot.json test_put_integration_validation and
 * test_apigateway_api.snapshot.json test_put_integration_aws_proxy_uri):
 * HTTP / HTTP_PROXY need an http(s) URL (stage variables allowed anywhere in it); AWS / AWS_PROXY
 * need `arn:aws:apigateway:{region}:{service}:{path|action}/...`; AWS_PROXY only targets Lambda
 * and Firehose.
 */
export function checkIntegrationUri(type: IntegrationType, uri: string | undefined): void {
  if (type === 'MOCK') return
  if (type === 'HTTP' || type === 'HTTP_PROXY') {
    // Stage variables may stand for any part, including the host: check what is left around them.
    const valid = ['stagevar', '1'].some((stand) =>
      isHttpUrl((uri ?? '').replace(/\$\{stageVariables\.[^}]*\}/g, stand)),
    )
    if (!valid) throw badRequest('Invalid HTTP endpoint specified for URI')
    return
  }
  if (uri === undefined || !uri.startsWith('arn:')) throw badRequest('Invalid ARN specified in the request')
  const match = /^arn:aws[\w-]*:apigateway:([^:]*):([^:]+):(.*)$/.exec(uri)
  if (!match) throw badRequest('Invalid ARN specified in the request')
  const [, , service = '', rest = ''] = match
  if (!rest.startsWith('path/') && !rest.startsWith('action/')) {
    throw badRequest('AWS ARN for integration must contain path or action')
  }
  if (type === 'AWS_PROXY') {
    const isLambda = service === 'lambda' && /^path\/2015-03-31\/functions\/.+\/invocations$/.test(rest)
    const isFirehose = service === 'firehose'
    if (!isLambda && !isFirehose) {
      throw badRequest(
        "Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.",
      )
    }
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== ''
  } catch {
    return false
  }
}
