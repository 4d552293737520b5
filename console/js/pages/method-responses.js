// The editors of a method's response side: integration responses (selection pattern, header
// mappings, mapping templates) and method responses (headers, models).

import { del, enc, put } from '../api.js'
import { change } from '../app.js'
import { button, field, h, input, keyValueEditor, select, submitted } from '../dom.js'
import { CONTENT_HANDLING, panelHeading, templatesEditor } from './method-editors.js'

export function integrationResponsesPanel(path, integration) {
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
    const contentHandling = select(CONTENT_HANDLING, response.contentHandling ?? '')
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
            ...(contentHandling.value ? { contentHandling: contentHandling.value } : {}),
          }
          await change(
            () => put(`${path}/integration/responses/${enc(status)}`, body),
            `Saved integration response ${status}`,
          )
        }),
      },
      h('h3', { id: `ir-${status}` }, `Integration response ${status}`),
      field('Selection pattern (regex on the status or error message)', pattern),
      field(`Content handling for ${status}`, contentHandling),
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

export function methodResponsesPanel(path, method) {
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
