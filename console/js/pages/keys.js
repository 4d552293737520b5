// API keys: list, create, enable/disable, delete; the value only on demand (includeValue=true).

import { del, enc, get, listAll, patch, post } from '../api.js'
import { change } from '../app.js'
import {
  actionsHeading,
  attempt,
  button,
  field,
  h,
  input,
  pageHeading,
  replace,
  submitted,
  table,
  when,
} from '../dom.js'

export async function keysPage() {
  const keys = await listAll('/apikeys')
  const rows = keys.map((key) => {
    const value = h('span', { class: 'secret', id: `key-value-${key.id}` }, '••••••••')
    const reveal = button(
      'Show value',
      async () => {
        if (reveal.getAttribute('aria-pressed') === 'true') {
          replace(value, '••••••••')
          reveal.textContent = 'Show value'
          reveal.setAttribute('aria-pressed', 'false')
          return
        }
        const full = await attempt(() => get(`/apikeys/${enc(key.id)}?includeValue=true`))
        if (!full) return
        replace(value, h('code', {}, full.value))
        reveal.textContent = 'Hide value'
        reveal.setAttribute('aria-label', `Hide value of ${key.name}`)
        reveal.setAttribute('aria-pressed', 'true')
      },
      { 'aria-pressed': 'false', 'aria-label': `Show value of ${key.name}`, class: 'secondary' },
    )
    return [
      key.name,
      h('code', {}, key.id),
      h('span', {}, value, ' ', reveal),
      key.enabled ? 'enabled' : 'disabled',
      when(key.createdDate),
      h(
        'span',
        { class: 'actions' },
        button(
          key.enabled ? 'Disable' : 'Enable',
          async () => {
            await change(
              () =>
                patch(`/apikeys/${enc(key.id)}`, [
                  { op: 'replace', path: '/enabled', value: String(!key.enabled) },
                ]),
              `${key.enabled ? 'Disabled' : 'Enabled'} ${key.name}`,
            )
          },
          { class: 'secondary', 'aria-label': `${key.enabled ? 'Disable' : 'Enable'} ${key.name}` },
        ),
        button(
          'Delete',
          async () => {
            if (!confirm(`Delete the API key ${key.name}?`)) return
            await change(() => del(`/apikeys/${enc(key.id)}`), `Deleted ${key.name}`)
          },
          { class: 'danger', 'aria-label': `Delete ${key.name}` },
        ),
      ),
    ]
  })
  const name = input({ required: true, autocomplete: 'off' })
  const description = input({})
  const value = input({ autocomplete: 'off', minlength: '20' })
  const create = h(
    'form',
    {
      class: 'card',
      onsubmit: submitted(async () => {
        const body = {
          name: name.value.trim(),
          enabled: true,
          ...(description.value ? { description: description.value } : {}),
          ...(value.value ? { value: value.value } : {}),
        }
        await change(() => post('/apikeys', body), `Created ${body.name}`)
      }),
    },
    h('h2', {}, 'Create an API key'),
    field('Name', name),
    field('Description', description),
    field('Value', value, 'Leave empty to generate one (40 characters).'),
    h('button', { type: 'submit' }, 'Create API key'),
  )
  return h(
    'div',
    {},
    pageHeading('API keys'),
    table(
      'API keys',
      ['Name', 'ID', 'Value', 'State', 'Created (UTC)', actionsHeading()],
      rows,
      'No API keys yet.',
    ),
    create,
  )
}
