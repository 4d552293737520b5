// APIs: the list (endpoint type, stages), create, import from an OpenAPI file, delete.

import { call, del, enc, listAll, post } from '../api.js'
import { change } from '../app.js'
import {
  actionsHeading,
  attempt,
  button,
  field,
  h,
  input,
  pageHeading,
  select,
  submitted,
  table,
  when,
} from '../dom.js'

export async function apisPage() {
  const apis = await listAll('/restapis')
  const stages = await Promise.all(
    apis.map((api) => listAll(`/restapis/${enc(api.id)}/stages`).catch(() => [])),
  )
  const rows = apis.map((api, i) => [
    h('a', { href: `#/apis/${enc(api.id)}/resources` }, api.name),
    h('code', {}, api.id),
    (api.endpointConfiguration?.types ?? ['EDGE']).join(', '),
    stages[i].length === 0
      ? 'none'
      : h(
          'span',
          { class: 'chips' },
          stages[i].map((s) =>
            h('a', { class: 'chip', href: `#/apis/${enc(api.id)}/stages/${enc(s.stageName)}` }, s.stageName),
          ),
        ),
    when(api.createdDate),
    button(
      'Delete',
      async () => {
        if (!confirm(`Delete the API ${api.name} (${api.id}) and all its stages?`)) return
        await change(() => del(`/restapis/${enc(api.id)}`), `Deleted ${api.name}`)
      },
      { class: 'danger', 'aria-label': `Delete API ${api.name}` },
    ),
  ])

  const name = input({ name: 'name', required: true, autocomplete: 'off' })
  const description = input({ name: 'description' })
  const endpoint = select(['REGIONAL', 'EDGE', 'PRIVATE'], 'REGIONAL')
  const create = h(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'create-api-title',
      onsubmit: submitted(async () => {
        const api = await attempt(
          () =>
            post('/restapis', {
              name: name.value.trim(),
              ...(description.value.trim() ? { description: description.value.trim() } : {}),
              endpointConfiguration: { types: [endpoint.value] },
            }),
          `Created API ${name.value.trim()}`,
        )
        if (api) location.hash = `#/apis/${enc(api.id)}/resources`
      }),
    },
    h('h2', { id: 'create-api-title' }, 'Create an API'),
    field('Name', name),
    field('Description', description),
    field('Endpoint type', endpoint),
    h('button', { type: 'submit' }, 'Create API'),
  )

  const file = h('input', { type: 'file', accept: '.json,.yaml,.yml', required: true })
  const failOnWarnings = h('input', { type: 'checkbox' })
  const importForm = h(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'import-api-title',
      onsubmit: submitted(async () => {
        const chosen = file.files?.[0]
        if (!chosen) return
        const text = await chosen.text()
        const api = await attempt(
          () =>
            call(
              'POST',
              `/restapis?mode=import${failOnWarnings.checked ? '&failonwarnings=true' : ''}`,
              text,
              {
                raw: true,
              },
            ),
          `Imported ${chosen.name}`,
        )
        if (api) location.hash = `#/apis/${enc(api.id)}/resources`
      }),
    },
    h('h2', { id: 'import-api-title' }, 'Import from OpenAPI'),
    field('OpenAPI 2.0 or 3.0 file (JSON or YAML)', file),
    field('Fail on warnings', failOnWarnings),
    h('button', { type: 'submit' }, 'Import API'),
  )

  return h(
    'div',
    {},
    pageHeading('APIs'),
    table(
      'REST APIs on this node',
      ['Name', 'ID', 'Endpoint type', 'Stages', 'Created (UTC)', actionsHeading()],
      rows,
      'No APIs yet: create one below.',
    ),
    h('div', { class: 'cards' }, create, importForm),
  )
}
