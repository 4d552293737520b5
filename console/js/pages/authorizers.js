// Authorizers of an API: list, create (Lambda TOKEN or REQUEST, Cognito user pools), delete,
// and test one with TestInvokeAuthorizer (POST /restapis/{id}/authorizers/{authorizerId}).

import { call, del, enc, listAll, post } from '../api.js'
import { change } from '../app.js'
import {
  actionsHeading,
  attempt,
  button,
  field,
  h,
  input,
  replace,
  select,
  submitted,
  table,
} from '../dom.js'
import { codeBlock, pretty } from '../highlight.js'
import { apiHeader, loadApi } from './api-shell.js'
import { lines } from './test-panel.js'

/** The Lambda functions of this node, for the authorizer's function. */
async function listFunctionArns() {
  const page = await call('GET', '/2015-03-31/functions/').catch(() => undefined)
  return (page?.Functions ?? []).map((f) => [f.FunctionArn, f.FunctionName])
}

/** The invocation URI API Gateway uses for a Lambda function, in the function's region. */
const lambdaUri = (functionArn) =>
  `arn:aws:apigateway:${functionArn.split(':')[3]}:lambda:path/2015-03-31/functions/${functionArn}/invocations`

export async function authorizersPage(apiId) {
  const base = `/restapis/${enc(apiId)}/authorizers`
  const [api, authorizers, functions] = await Promise.all([loadApi(apiId), listAll(base), listFunctionArns()])
  const testArea = h('div', {})
  const rows = authorizers.map((a) => [
    a.name,
    h('code', {}, a.id),
    a.type,
    a.identitySource ?? '',
    String(a.authorizerResultTtlInSeconds ?? 300),
    h(
      'span',
      { class: 'actions' },
      button('Test', () => replace(testArea, testForm(base, a)), {
        class: 'secondary',
        'aria-label': `Test ${a.name}`,
      }),
      button(
        'Delete',
        async () => {
          if (!confirm(`Delete the authorizer ${a.name}?`)) return
          await change(() => del(`${base}/${enc(a.id)}`), `Deleted ${a.name}`)
        },
        { class: 'danger', 'aria-label': `Delete ${a.name}` },
      ),
    ),
  ])

  const name = input({ required: true, autocomplete: 'off' })
  const type = select(['TOKEN', 'REQUEST', 'COGNITO_USER_POOLS'], 'TOKEN')
  const fn = select(functions, functions[0]?.[0])
  const identity = input({ value: 'method.request.header.Authorization', class: 'wide' })
  const ttl = input({ type: 'number', min: '0', max: '3600', value: '300' })
  const pools = input({
    class: 'wide',
    placeholder: 'arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abc',
  })
  const create = h(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'create-authorizer-title',
      onsubmit: submitted(async () => {
        const isCognito = type.value === 'COGNITO_USER_POOLS'
        const body = {
          name: name.value.trim(),
          type: type.value,
          identitySource: identity.value.trim(),
          authorizerResultTtlInSeconds: Number(ttl.value),
          ...(isCognito
            ? {
                providerARNs: pools.value
                  .split(',')
                  .map((p) => p.trim())
                  .filter(Boolean),
              }
            : { authorizerUri: lambdaUri(fn.value) }),
        }
        await change(() => post(base, body), `Created ${body.name}`)
      }),
    },
    h('h2', { id: 'create-authorizer-title' }, 'Create an authorizer'),
    field('Name', name),
    field('Type', type),
    functions.length
      ? field('Lambda function', fn, 'For TOKEN and REQUEST authorizers.')
      : h('p', { class: 'muted' }, 'No Lambda functions on this node: create one for a Lambda authorizer.'),
    field(
      'Identity source',
      identity,
      'TOKEN: one header; REQUEST: a comma-separated list of method.request.* sources.',
    ),
    field('Result TTL (s)', ttl),
    field('User pool ARNs (Cognito, comma-separated)', pools),
    h('button', { type: 'submit' }, 'Create authorizer'),
  )

  return h(
    'div',
    {},
    apiHeader(api, 'authorizers', `Authorizers of ${api.name}`),
    table(
      'Authorizers',
      ['Name', 'ID', 'Type', 'Identity source', 'TTL (s)', actionsHeading()],
      rows,
      'No authorizers yet.',
    ),
    testArea,
    create,
  )
}

/** TestInvokeAuthorizer with headers (and, for REQUEST authorizers, a path with a query). */
function testForm(base, authorizer) {
  const header =
    /^method\.request\.header\.(.+)$/.exec(authorizer.identitySource ?? '')?.[1] ?? 'Authorization'
  const headers = h('textarea', { rows: 3 }, `${header}: `)
  const path = input({ value: '/', class: 'wide' })
  const result = h('div', { 'aria-live': 'polite' })
  return h(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'test-authorizer-title',
      onsubmit: submitted(async () => {
        const sent = lines(headers.value, ':')
        const answer = await attempt(() =>
          post(`${base}/${enc(authorizer.id)}`, { headers: sent, pathWithQueryString: path.value }),
        )
        if (!answer) return
        replace(
          result,
          h(
            'dl',
            { class: 'facts' },
            h('dt', {}, 'Client status'),
            h('dd', { id: 'authorizer-status' }, String(answer.clientStatus)),
            h('dt', {}, 'Principal'),
            h('dd', {}, answer.principalId ?? ''),
            h('dt', {}, 'Latency'),
            h('dd', {}, `${answer.latency ?? 0} ms`),
          ),
          answer.policy ? [h('h4', {}, 'Policy'), codeBlock(pretty(answer.policy), 'Policy')] : null,
          answer.claims
            ? [h('h4', {}, 'Claims'), codeBlock(JSON.stringify(answer.claims, null, 2), 'Claims')]
            : null,
          answer.log
            ? [
                h('h4', {}, 'Log'),
                h('pre', { class: 'log', tabindex: '0', 'aria-label': 'Authorizer log' }, answer.log),
              ]
            : null,
        )
      }),
    },
    h('h2', { id: 'test-authorizer-title' }, `Test ${authorizer.name}`),
    field('Headers (one "Name: value" per line)', headers),
    field('Path and query string (REQUEST authorizers)', path),
    h('button', { type: 'submit', class: 'primary' }, 'Run authorizer test'),
    result,
  )
}
