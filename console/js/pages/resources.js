// Resources: the resource tree of an API; a resource's methods; create and delete resources
// and methods (a new MOCK method gets a 200 response pair, as the AWS console sets it up).

import { del, enc, listAll, methodPath, post, put } from '../api.js'
import { refresh } from '../app.js'
import { attempt, button, field, h, input, select, submitted } from '../dom.js'
import { apiHeader, loadApi } from './api-shell.js'

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY']
export const INTEGRATION_TYPES = ['MOCK', 'HTTP', 'HTTP_PROXY', 'AWS', 'AWS_PROXY']

export async function resourcesPage(apiId, resourceId) {
  const [api, resources] = await Promise.all([
    loadApi(apiId),
    listAll(`/restapis/${enc(apiId)}/resources?embed=methods`),
  ])
  const root = resources.find((r) => r.path === '/')
  const selected = resources.find((r) => r.id === resourceId) ?? root
  return h(
    'div',
    {},
    apiHeader(api, 'resources'),
    h(
      'div',
      { class: 'split' },
      h(
        'section',
        { class: 'tree-pane', 'aria-labelledby': 'tree-title' },
        h('h2', { id: 'tree-title' }, 'Resources'),
        tree(apiId, resources, selected),
      ),
      selected ? resourceDetail(apiId, selected) : h('p', {}, 'This API has no root resource.'),
    ),
  )
}

function tree(apiId, resources, selected) {
  const children = new Map()
  for (const r of resources) {
    const list = children.get(r.parentId) ?? []
    list.push(r)
    children.set(r.parentId, list)
  }
  const branch = (parentId) => {
    const items = (children.get(parentId) ?? []).sort((a, b) => a.path.localeCompare(b.path))
    if (items.length === 0) return null
    return h(
      'ul',
      { class: 'tree' },
      items.map((r) =>
        h(
          'li',
          {},
          h(
            'a',
            {
              href: `#/apis/${enc(apiId)}/resources/${enc(r.id)}`,
              'aria-current': r.id === selected?.id ? 'true' : false,
            },
            r.parentId ? `/${r.pathPart}` : '/',
          ),
          Object.keys(r.resourceMethods ?? {}).map((verb) =>
            h(
              'a',
              {
                class: `verb verb-${verb.toLowerCase()}`,
                href: `#/apis/${enc(apiId)}/resources/${enc(r.id)}/methods/${verb}`,
                'aria-label': `${verb} ${r.path}`,
              },
              verb,
            ),
          ),
          branch(r.id),
        ),
      ),
    )
  }
  return h('nav', { 'aria-label': 'Resource tree' }, branch(undefined))
}

function resourceDetail(apiId, resource) {
  const methods = Object.keys(resource.resourceMethods ?? {})
  const pathPart = input({ required: true, autocomplete: 'off', placeholder: 'pets or {id} or {proxy+}' })
  const createResource = h(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'create-resource-title',
      onsubmit: submitted(async () => {
        const created = await attempt(
          () =>
            post(`/restapis/${enc(apiId)}/resources/${enc(resource.id)}`, {
              pathPart: pathPart.value.trim(),
            }),
          `Created resource ${pathPart.value.trim()}`,
        )
        if (created) location.hash = `#/apis/${enc(apiId)}/resources/${enc(created.id)}`
      }),
    },
    h('h3', { id: 'create-resource-title' }, `Create a child of ${resource.path}`),
    field('Path part', pathPart),
    h('button', { type: 'submit' }, 'Create resource'),
  )

  const verb = select(
    HTTP_METHODS.filter((m) => !methods.includes(m)),
    'GET',
  )
  const type = select(INTEGRATION_TYPES, 'MOCK')
  const uri = input({
    autocomplete: 'off',
    placeholder: 'https://example.com/pets or a Lambda invocation ARN',
  })
  const createMethod = h(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'create-method-title',
      onsubmit: submitted(async () => {
        const done = await attempt(
          () => createMethodWithIntegration(apiId, resource.id, verb.value, type.value, uri.value.trim()),
          `Created ${verb.value} ${resource.path}`,
        )
        if (done) location.hash = `#/apis/${enc(apiId)}/resources/${enc(resource.id)}/methods/${verb.value}`
      }),
    },
    h('h3', { id: 'create-method-title' }, `Create a method on ${resource.path}`),
    field('HTTP method', verb),
    field('Integration type', type),
    field('Integration URI', uri, 'Not used by MOCK.'),
    h('button', { type: 'submit' }, 'Create method'),
  )

  return h(
    'section',
    { class: 'detail', 'aria-labelledby': 'resource-title' },
    h('h2', { id: 'resource-title' }, `Resource ${resource.path}`),
    h('p', { class: 'muted' }, 'ID ', h('code', {}, resource.id)),
    methods.length === 0
      ? h('p', {}, 'No methods yet.')
      : h(
          'ul',
          { class: 'method-list' },
          methods.map((m) =>
            h(
              'li',
              {},
              h(
                'a',
                { href: `#/apis/${enc(apiId)}/resources/${enc(resource.id)}/methods/${m}` },
                h('span', { class: `verb verb-${m.toLowerCase()}` }, m),
                ` ${resource.path}`,
              ),
            ),
          ),
        ),
    h('div', { class: 'cards' }, createMethod, createResource),
    resource.parentId
      ? button(
          `Delete resource ${resource.path}`,
          async () => {
            if (!confirm(`Delete ${resource.path} and everything under it?`)) return
            const done = await attempt(
              () => del(`/restapis/${enc(apiId)}/resources/${enc(resource.id)}`),
              `Deleted ${resource.path}`,
            )
            if (done) location.hash = `#/apis/${enc(apiId)}/resources/${enc(resource.parentId)}`
            else void refresh()
          },
          { class: 'danger' },
        )
      : null,
  )
}

/**
 * PutMethod and PutIntegration; for MOCK also the 200 method response and integration response
 * (what the AWS console does), so the new method answers 200 at once.
 */
async function createMethodWithIntegration(apiId, resourceId, verb, type, uri) {
  const path = methodPath(apiId, resourceId, verb)
  await put(path, { authorizationType: 'NONE' })
  const isMock = type === 'MOCK'
  await put(`${path}/integration`, {
    type,
    ...(isMock
      ? { requestTemplates: { 'application/json': '{"statusCode": 200}' } }
      : { uri, httpMethod: type === 'AWS_PROXY' || type === 'AWS' ? 'POST' : verb === 'ANY' ? 'ANY' : verb }),
  })
  if (type.endsWith('_PROXY')) return true
  await put(`${path}/responses/200`, { responseModels: { 'application/json': 'Empty' } })
  await put(`${path}/integration/responses/200`, {
    selectionPattern: '',
    responseTemplates: { 'application/json': '' },
  })
  return true
}
