// The editors of a method's request side: method request and integration request (with its
// parameter mappings and mapping templates), and the pieces the other panels share.

import { enc, patch, pointer, put } from '../api.js'
import { change } from '../app.js'
import { button, field, h, input, keyValueEditor, select, submitted } from '../dom.js'
import { codeEditor } from '../highlight.js'
import { HTTP_METHODS, INTEGRATION_TYPES } from './resources.js'

export function panelHeading(text) {
  return h('h2', { id: 'panel-title' }, text)
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
export function templatesEditor(label, templates) {
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

/** contentHandling of integrations and integration responses ('' leaves the body as it is). */
export const CONTENT_HANDLING = [
  ['', 'Passthrough'],
  ['CONVERT_TO_TEXT', 'Convert to text'],
  ['CONVERT_TO_BINARY', 'Convert to binary'],
]

export function methodRequestPanel(path, method, validators, authorizers) {
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
  const models = keyValueEditor('Request models', method.requestModels, {
    keyLabel: 'Content type',
    valueLabel: 'Model',
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
          ...mapOps('/requestModels', method.requestModels, models.read()),
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
    models.el,
    h('button', { type: 'submit' }, 'Save method request'),
  )
}

export function integrationRequestPanel(path, integration) {
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
  const credentials = input({
    value: current.credentials ?? '',
    class: 'wide',
    placeholder: 'arn:aws:iam::000000000000:role/name',
  })
  const contentHandling = select(CONTENT_HANDLING, current.contentHandling ?? '')
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
          ...(contentHandling.value ? { contentHandling: contentHandling.value } : {}),
          ...(credentials.value.trim() ? { credentials: credentials.value.trim() } : {}),
          ...(current.connectionType
            ? { connectionType: current.connectionType, connectionId: current.connectionId }
            : {}),
        }
        // PutIntegration replaces the integration with its responses, as on AWS: put them back.
        await change(async () => {
          await put(`${path}/integration`, body)
          for (const [status, response] of Object.entries(current.integrationResponses ?? {})) {
            await put(`${path}/integration/responses/${enc(status)}`, integrationResponseBody(response))
          }
          return true
        }, 'Saved the integration request')
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
    field('Execution role (credentials)', credentials),
    h(
      'div',
      { class: 'row' },
      field('Request body passthrough', passthrough),
      field('Content handling', contentHandling),
    ),
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
