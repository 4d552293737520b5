// A method: its execution diagram (method request → integration request → integration →
// integration response → method response), an editor for each part, and the Test panel
// (TestInvokeMethod).

import { del, enc, get, listAll, methodPath } from '../api.js'
import { attempt, button, h, replace } from '../dom.js'
import { apiHeader, loadApi } from './api-shell.js'
import { integrationRequestPanel, methodRequestPanel } from './method-editors.js'
import { integrationResponsesPanel, methodResponsesPanel } from './method-responses.js'
import { testPanel } from './test-panel.js'

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
