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
  // Anything shaped like an ARN but not `arn:{partition}:apigateway:{region}:{service}:{path|action}/...`
  // is refused for its missing path or action (recorded for "arn:aws:iam::0000000000:role/...").
  const parts = (uri ?? '').split(':')
  if (uri === undefined || parts[0] !== 'arn' || parts.length < 6) {
    throw badRequest('Invalid ARN specified in the request')
  }
  const [, , arnService = '', , service = ''] = parts
  const rest = parts.slice(5).join(':')
  if (arnService !== 'apigateway' || service === '' || !/^(path|action)\/./.test(rest)) {
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
