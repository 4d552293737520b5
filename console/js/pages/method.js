// A method: its execution diagram (method request → integration request → integration →
// integration response → method response), an editor for each part, and the Test panel
// (TestInvokeMethod).

import { del, enc, get, listAll, methodPath, patch, pointer, post, put } from '../api.js'
import { change, refresh } from '../app.js'
import {
  attempt,
  button,
  field,
  h,
  input,
  keyValueEditor,
  replace,
  select,
  submitted,
  table,
} from '../dom.js'
import { codeBlock, codeEditor, pretty } from '../highlight.js'
import { apiHeader, loadApi } from './api-shell.js'
import { HTTP_METHODS, INTEGRATION_TYPES } from './resources.js'

const PARTS = [
  ['method-request', 'Method request'],
  ['integration-request', 'Integration request'],
  ['integration', 'Integration'],
  ['integration-response', 'Integration response'],
  ['method-response', 'Method response'],
  ['test', 'Test'],
]

export async function methodPage(apiId, resourceId, verb) {
  const path = methodPath(apiId, resourceId, verb)
  const [api, resource, method, validators, authorizers] = await Promise.all([
    loadApi(apiId),
    get(`/restapis/${enc(apiId)}/resources/${enc(resourceId)}`),
    get(path),
    listAll(`/restapis/${enc(apiId)}/requestvalidators`).catch(() => []),
    listAll(`/restapis/${enc(apiId)}/authorizers`).catch(() => []),
  ])
  const integration = method.methodIntegration
  const panel = h('div', {
    class: 'panel',
    id: 'method-panel',
    role: 'region',
    'aria-live': 'off',
    'aria-labelledby': 'panel-title',
  })
  const show = (part) => {
    // Remember the open part in the URL, so a save (which re-renders the page) or a reload keeps it.
    history.replaceState(null, '', `${location.hash.split('?')[0]}?part=${part}`)
    for (const b of diagram.querySelectorAll('button[data-part]'))
      b.setAttribute('aria-pressed', String(b.dataset.part === part))
    const render = {
      'method-request': () => methodRequestPanel(path, method, validators, authorizers),
      'integration-request': () => integrationRequestPanel(path, integration),
      integration: () => integrationRequestPanel(path, integration),
      'integration-response': () => integrationResponsesPanel(path, integration),
      'method-response': () => methodResponsesPanel(path, method),
      test: () => testPanel(path, resource),
    }[part]
    replace(panel, render())
  }
  const box = (part, title, ...lines) =>
    h(
      'button',
      {
        type: 'button',
        class: `box box-${part}`,
        'data-part': part,
        'aria-pressed': 'false',
        'aria-controls': 'method-panel',
        onclick: () => show(part),
      },
      h('strong', {}, title),
      lines.filter(Boolean).map((l) => h('span', {}, l)),
    )
  const responses = Object.keys(integration?.integrationResponses ?? {})
  const methodResponses = Object.keys(method.methodResponses ?? {})
  const diagram = h(
    'div',
    { class: 'diagram', role: 'group', 'aria-label': 'Execution diagram' },
    h(
      'div',
      { class: 'flow request' },
      box(
        'method-request',
        'Method request',
        `Auth: ${method.authorizationType}`,
        `API key required: ${method.apiKeyRequired ? 'yes' : 'no'}`,
      ),
      h('span', { class: 'arrow', 'aria-hidden': 'true' }, '→'),
      box(
        'integration-request',
        'Integration request',
        integration ? `Type: ${integration.type}` : 'No integration',
        Object.keys(integration?.requestTemplates ?? {}).length
          ? `${Object.keys(integration.requestTemplates).length} template(s)`
          : null,
      ),
      h('span', { class: 'arrow', 'aria-hidden': 'true' }, '→'),
      box('integration', 'Integration', integration?.type ?? 'none', integration?.uri ?? null),
    ),
    h(
      'div',
      { class: 'flow response' },
      box(
        'method-response',
        'Method response',
        methodResponses.length ? `Status: ${methodResponses.join(', ')}` : 'none',
      ),
      h('span', { class: 'arrow', 'aria-hidden': 'true' }, '←'),
      box(
        'integration-response',
        'Integration response',
        responses.length ? `Status: ${responses.join(', ')}` : 'none',
      ),
      h('span', { class: 'arrow', 'aria-hidden': 'true' }, '←'),
      box('test', 'Test', 'TestInvokeMethod'),
    ),
  )
  const view = h(
    'div',
    {},
    apiHeader(api, 'resources', `${verb} ${resource.path}`),
    h(
      'p',
      {},
      h('a', { href: `#/apis/${enc(apiId)}/resources/${enc(resourceId)}` }, `Back to ${resource.path}`),
      ' ',
      button(
        `Delete method ${verb}`,
        async () => {
          if (!confirm(`Delete ${verb} ${resource.path}?`)) return
          if (await attempt(() => del(path), `Deleted ${verb} ${resource.path}`))
            location.hash = `#/apis/${enc(apiId)}/resources/${enc(resourceId)}`
        },
        { class: 'danger' },
      ),
    ),
    diagram,
    panel,
  )
  const start = new URLSearchParams(location.hash.split('?')[1] ?? '').get('part')
  show(PARTS.some(([p]) => p === start) ? start : 'method-request')
  return view
}

function panelHeading(text) {
  return h('h2', { id: 'panel-title' }, text)
}

function methodRequestPanel(path, method, validators, authorizers) {
  const authType = select(['NONE', 'AWS_IAM', 'CUSTOM', 'COGNITO_USER_POOLS'], method.authorizationType)
  const authorizer = select(
    [['', '(none)'], ...authorizers.map((a) => [a.id, a.name])],
    method.authorizerId ?? '',
  )
  const apiKey = h('input', { type: 'checkbox', checked: Boolean(method.apiKeyRequired) })
  const validator = select(
    [['', '(none)'], ...validators.map((v) => [v.id, v.name])],
    method.requestValidatorId ?? '',
  )
  const operation = input({ value: method.operationName ?? '' })
  const params = keyValueEditor('Request parameters', method.requestParameters, {
    keyLabel: 'Parameter (method.request.…)',
    valueLabel: 'Required',
    kind: 'check',
  })
  return h(
    'form',
    {
      onsubmit: submitted(async () => {
        const ops = [
          { op: 'replace', path: '/authorizationType', value: authType.value },
          { op: 'replace', path: '/authorizerId', value: authorizer.value },
          { op: 'replace', path: '/apiKeyRequired', value: String(apiKey.checked) },
          { op: 'replace', path: '/requestValidatorId', value: validator.value },
          { op: 'replace', path: '/operationName', value: operation.value },
          ...mapOps('/requestParameters', method.requestParameters, params.read(), String),
        ]
        await change(() => patch(path, ops), 'Saved the method request')
      }),
    },
    panelHeading('Method request'),
    field('Authorization', authType),
    field('Authorizer', authorizer),
    field('API key required', apiKey),
    field('Request validator', validator),
    field('Operation name', operation),
    params.el,
    h('button', { type: 'submit' }, 'Save method request'),
  )
}

/** Patch operations turning map `before` into `after` under `base`. */
export function mapOps(base, before = {}, after = {}, toValue = (v) => v) {
  const ops = []
  for (const key of Object.keys(before ?? {}))
    if (!(key in after)) ops.push({ op: 'remove', path: `${base}/${pointer(key)}` })
  for (const [key, value] of Object.entries(after)) {
    if (!(key in (before ?? {})))
      ops.push({ op: 'add', path: `${base}/${pointer(key)}`, value: toValue(value) })
    else if (before[key] !== value)
      ops.push({ op: 'replace', path: `${base}/${pointer(key)}`, value: toValue(value) })
  }
  return ops
}

/** Mapping templates by content type, each in a highlighting editor. */
function templatesEditor(label, templates) {
  const list = h('div', { class: 'templates' })
  const entries = []
  const add = (contentType = 'application/json', body = '') => {
    const type = input({ value: contentType, 'aria-label': `${label}: content type` })
    const editor = codeEditor({ label: `${label} (${contentType})`, value: body ?? '' })
    type.addEventListener(
      'change',
      () => (editor.el.querySelector('label').textContent = `${label} (${type.value})`),
    )
    const entry = { type, editor }
    const card = h('div', { class: 'template' }, field('Content type', type), editor.el)
    card.append(
      button(
        'Remove template',
        () => {
          card.remove()
          entries.splice(entries.indexOf(entry), 1)
        },
        { class: 'link', 'aria-label': `Remove template ${label} (${contentType})` },
      ),
    )
    entries.push(entry)
    list.append(card)
  }
  for (const [contentType, body] of Object.entries(templates ?? {})) add(contentType, body)
  const el = h(
    'fieldset',
    { class: 'templates-field' },
    h('legend', {}, 'Mapping templates'),
    list,
    button('Add mapping template', () => add('application/json', ''), {
      class: 'secondary',
      'aria-label': `Add mapping template (${label})`,
    }),
  )
  const read = () =>
    Object.fromEntries(
      entries.filter((e) => e.type.value.trim()).map((e) => [e.type.value.trim(), e.editor.value]),
    )
  return { el, read }
}

function integrationRequestPanel(path, integration) {
  const current = integration ?? { type: 'MOCK' }
  const type = select(INTEGRATION_TYPES, current.type)
  const httpMethod = select(['', ...HTTP_METHODS], current.httpMethod ?? '')
  const uri = input({ value: current.uri ?? '', class: 'wide' })
  const passthrough = select(
    ['WHEN_NO_MATCH', 'WHEN_NO_TEMPLATES', 'NEVER'],
    current.passthroughBehavior ?? 'WHEN_NO_MATCH',
  )
  const timeout = input({
    type: 'number',
    min: '50',
    max: '29000',
    value: String(current.timeoutInMillis ?? 29000),
  })
  const params = keyValueEditor('Integration request parameters', current.requestParameters, {
    keyLabel: 'Integration parameter (integration.request.…)',
    valueLabel: 'Mapped from',
  })
  const templates = templatesEditor('Request mapping template', current.requestTemplates)
  return h(
    'form',
    {
      onsubmit: submitted(async () => {
        const body = {
          type: type.value,
          ...(httpMethod.value ? { httpMethod: httpMethod.value } : {}),
          ...(uri.value.trim() ? { uri: uri.value.trim() } : {}),
          passthroughBehavior: passthrough.value,
          timeoutInMillis: Number(timeout.value),
          requestParameters: params.read(),
          requestTemplates: templates.read(),
          ...(current.cacheKeyParameters ? { cacheKeyParameters: current.cacheKeyParameters } : {}),
          ...(current.cacheNamespace ? { cacheNamespace: current.cacheNamespace } : {}),
          ...(current.contentHandling ? { contentHandling: current.contentHandling } : {}),
          ...(current.credentials ? { credentials: current.credentials } : {}),
          ...(current.connectionType
            ? { connectionType: current.connectionType, connectionId: current.connectionId }
            : {}),
        }
        // PutIntegration replaces the integration with its responses, as on AWS: put them back.
        const saved = await attempt(async () => {
          await put(`${path}/integration`, body)
          for (const [status, response] of Object.entries(current.integrationResponses ?? {})) {
            await put(`${path}/integration/responses/${enc(status)}`, integrationResponseBody(response))
          }
          return true
        }, 'Saved the integration request')
        if (saved) void refresh()
      }),
    },
    panelHeading('Integration request'),
    h(
      'div',
      { class: 'row' },
      field('Integration type', type),
      field('HTTP method', httpMethod),
      field('Timeout (ms)', timeout),
    ),
    field(
      'Endpoint URI',
      uri,
      'HTTP(S) URL, or arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations; stage variables as ${stageVariables.name}',
    ),
    field('Request body passthrough', passthrough),
    params.el,
    templates.el,
    h('button', { type: 'submit' }, 'Save integration request'),
  )
}

function integrationResponseBody(response) {
  return {
    selectionPattern: response.selectionPattern ?? '',
    ...(response.responseParameters ? { responseParameters: response.responseParameters } : {}),
    ...(response.responseTemplates ? { responseTemplates: response.responseTemplates } : {}),
    ...(response.contentHandling ? { contentHandling: response.contentHandling } : {}),
  }
}

function integrationResponsesPanel(path, integration) {
  if (!integration)
    return h(
      'div',
      {},
      panelHeading('Integration response'),
      h('p', {}, 'Define the integration request first.'),
    )
  const responses = Object.values(integration.integrationResponses ?? {})
  const forms = responses.map((response) => {
    const status = response.statusCode
    const pattern = input({ value: response.selectionPattern ?? '', placeholder: 'default (empty)' })
    const params = keyValueEditor(`Response header mappings for ${status}`, response.responseParameters, {
      keyLabel: 'method.response.header.…',
      valueLabel: 'Mapped from',
    })
    const templates = templatesEditor(`Response mapping template for ${status}`, response.responseTemplates)
    return h(
      'form',
      {
        class: 'card',
        'aria-labelledby': `ir-${status}`,
        'data-status': status,
        onsubmit: submitted(async () => {
          const body = {
            selectionPattern: pattern.value,
            responseParameters: params.read(),
            responseTemplates: templates.read(),
            ...(response.contentHandling ? { contentHandling: response.contentHandling } : {}),
          }
          await change(
            () => put(`${path}/integration/responses/${enc(status)}`, body),
            `Saved integration response ${status}`,
          )
        }),
      },
      h('h3', { id: `ir-${status}` }, `Integration response ${status}`),
      field('Selection pattern (regex on the status or error message)', pattern),
      params.el,
      templates.el,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit' }, `Save integration response ${status}`),
        button(
          `Delete integration response ${status}`,
          async () => {
            await change(
              () => del(`${path}/integration/responses/${enc(status)}`),
              `Deleted integration response ${status}`,
            )
          },
          { class: 'danger' },
        ),
      ),
    )
  })
  return h(
    'div',
    {},
    panelHeading('Integration responses'),
    forms,
    addStatusForm('integration response', (status) =>
      put(`${path}/integration/responses/${enc(status)}`, {
        selectionPattern: status.startsWith('2') ? '' : `${status}`,
      }),
    ),
  )
}

function methodResponsesPanel(path, method) {
  const responses = Object.values(method.methodResponses ?? {})
  const forms = responses.map((response) => {
    const status = response.statusCode
    const headers = keyValueEditor(`Response headers for ${status}`, response.responseParameters, {
      keyLabel: 'method.response.header.…',
      valueLabel: 'Required',
      kind: 'check',
    })
    const models = keyValueEditor(`Response models for ${status}`, response.responseModels, {
      keyLabel: 'Content type',
      valueLabel: 'Model',
    })
    return h(
      'form',
      {
        class: 'card',
        'aria-labelledby': `mr-${status}`,
        onsubmit: submitted(async () => {
          await change(
            () =>
              put(`${path}/responses/${enc(status)}`, {
                responseParameters: headers.read(),
                responseModels: models.read(),
              }),
            `Saved method response ${status}`,
          )
        }),
      },
      h('h3', { id: `mr-${status}` }, `Method response ${status}`),
      headers.el,
      models.el,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit' }, `Save method response ${status}`),
        button(
          `Delete method response ${status}`,
          async () => {
            await change(() => del(`${path}/responses/${enc(status)}`), `Deleted method response ${status}`)
          },
          { class: 'danger' },
        ),
      ),
    )
  })
  return h(
    'div',
    {},
    panelHeading('Method responses'),
    forms,
    addStatusForm('method response', (status) => put(`${path}/responses/${enc(status)}`, {})),
  )
}

function addStatusForm(what, create) {
  const status = input({
    inputmode: 'numeric',
    pattern: '[1-5][0-9][0-9]',
    required: true,
    placeholder: '400',
  })
  return h(
    'form',
    {
      class: 'inline',
      onsubmit: submitted(async () => {
        await change(
          async () => (await create(status.value.trim()), true),
          `Added ${what} ${status.value.trim()}`,
        )
      }),
    },
    field(`New ${what} status code`, status),
    h('button', { type: 'submit' }, `Add ${what}`),
  )
}

function testPanel(path, resource) {
  const target = input({ value: resource.path, class: 'wide' })
  const headers = h('textarea', { rows: 3, placeholder: 'Accept: application/json' })
  const variables = h('textarea', { rows: 2, placeholder: 'name=value' })
  const body = codeEditor({ label: 'Request body', rows: 5 })
  const result = h('div', { class: 'test-result', 'aria-live': 'polite' })
  return h(
    'div',
    {},
    h(
      'form',
      {
        onsubmit: submitted(async () => {
          replace(result, h('p', {}, 'Running…'))
          const answer = await attempt(() =>
            post(path, {
              pathWithQueryString: target.value,
              headers: lines(headers.value, ':'),
              stageVariables: lines(variables.value, '='),
              body: body.value,
            }),
          )
          if (!answer) return replace(result)
          replace(
            result,
            h('h3', {}, 'Response'),
            h(
              'dl',
              { class: 'facts' },
              h('dt', {}, 'Status'),
              h('dd', { id: 'test-status' }, String(answer.status)),
              h('dt', {}, 'Latency'),
              h('dd', {}, `${answer.latency} ms`),
            ),
            table(
              'Response headers',
              ['Header', 'Value'],
              Object.entries(answer.headers ?? {}).map(([k, v]) => [k, v]),
              'No headers.',
            ),
            h('h4', {}, 'Response body'),
            h('div', { id: 'test-body' }, codeBlock(pretty(answer.body ?? ''), 'Response body')),
            h('h4', {}, 'Execution log'),
            h('pre', { class: 'log', tabindex: '0', 'aria-label': 'Execution log' }, answer.log ?? ''),
          )
        }),
      },
      panelHeading('Test'),
      h(
        'p',
        { class: 'muted' },
        'Runs the method as defined now (not as deployed), without authorizers, API keys, throttling or the cache.',
      ),
      field('Path and query string', target),
      field('Headers (one "Name: value" per line)', headers),
      field('Stage variables (one "name=value" per line)', variables),
      body.el,
      h('button', { type: 'submit', class: 'primary' }, 'Run test'),
    ),
    result,
  )
}

function lines(text, separator) {
  const out = {}
  for (const line of text.split('\n')) {
    const at = line.indexOf(separator)
    if (at > 0) out[line.slice(0, at).trim()] = line.slice(at + 1).trim()
  }
  return out
}
