// What every page of one API shows above its content: the API's name, its tabs and Deploy.

import { enc, get, listAll, post } from '../api.js'
import { attempt, button, formDialog, h, input, pageHeading, select } from '../dom.js'

/** The heading, tabs (Resources, Stages, Authorizers) and the Deploy API button of `api`. */
export function apiHeader(api, current, title) {
  const tabs = h(
    'nav',
    { class: 'tabs', 'aria-label': `API ${api.name}` },
    h('a', { href: '#/apis' }, 'All APIs'),
    h(
      'a',
      { href: `#/apis/${enc(api.id)}/resources`, 'aria-current': current === 'resources' ? 'page' : false },
      'Resources',
    ),
    h(
      'a',
      { href: `#/apis/${enc(api.id)}/stages`, 'aria-current': current === 'stages' ? 'page' : false },
      'Stages',
    ),
    h(
      'a',
      {
        href: `#/apis/${enc(api.id)}/authorizers`,
        'aria-current': current === 'authorizers' ? 'page' : false,
      },
      'Authorizers',
    ),
  )
  return h(
    'div',
    {},
    pageHeading(
      title ?? api.name,
      button('Deploy API', () => void deployDialog(api), { class: 'primary' }),
    ),
    h(
      'p',
      { class: 'muted' },
      `API ${api.name} · `,
      h('code', {}, api.id),
      ` · ${(api.endpointConfiguration?.types ?? []).join(', ')}`,
    ),
    tabs,
  )
}

export const loadApi = (apiId) => get(`/restapis/${enc(apiId)}`)

/** CreateDeployment to a stage (an existing one or a new name), with a description. */
async function deployDialog(api) {
  const stages = await listAll(`/restapis/${enc(api.id)}/stages`).catch(() => [])
  const NEW = '*new*'
  const stageSelect = select(
    [...stages.map((s) => s.stageName), [NEW, 'New stage…']],
    stages[0]?.stageName ?? NEW,
    { name: 'stage' },
  )
  const newStage = input({ name: 'newStage', placeholder: 'dev', autocomplete: 'off' })
  const description = input({ name: 'description', autocomplete: 'off' })
  const values = await formDialog(
    `Deploy ${api.name}`,
    [
      { name: 'stage', label: 'Stage', control: stageSelect },
      {
        name: 'newStage',
        label: 'New stage name',
        control: newStage,
        hint: 'Used when "New stage…" is chosen.',
      },
      { name: 'description', label: 'Deployment description', control: description },
    ],
    'Deploy',
  )
  if (!values) return
  const stageName = values.stage === NEW ? values.newStage.trim() : values.stage
  if (!stageName) return
  const done = await attempt(
    () =>
      post(`/restapis/${enc(api.id)}/deployments`, {
        stageName,
        ...(values.description ? { description: values.description } : {}),
      }),
    `Deployed ${api.name} to ${stageName}`,
  )
  if (done) location.hash = `#/apis/${enc(api.id)}/stages/${enc(stageName)}`
}
