// Stages: each stage's invoke URL, its deployment history with one-click rollback (UpdateStage
// /deploymentId), stage variables, default method settings (throttling, caching, logging,
// metrics: the `/*/*/...` patch paths) and the canary (create, tune, promote, delete).

import { del, enc, get, invokeUrl, listAll, patch, post } from '../api.js'
import { change } from '../app.js'
import {
  actionsHeading,
  attempt,
  button,
  field,
  h,
  input,
  keyValueEditor,
  submitted,
  table,
  when,
} from '../dom.js'
import { apiHeader, loadApi } from './api-shell.js'
import { mapOps } from './method-editors.js'
import { methodOverrides, stageSettingsForm } from './stage-settings.js'

export async function stagesPage(apiId, stageName) {
  const [api, stages, deployments] = await Promise.all([
    loadApi(apiId),
    listAll(`/restapis/${enc(apiId)}/stages`),
    listAll(`/restapis/${enc(apiId)}/deployments`),
  ])
  const stage = stages.find((s) => s.stageName === stageName) ?? (stageName ? undefined : stages[0])
  const list = h(
    'nav',
    { class: 'stage-list', 'aria-label': 'Stages' },
    stages.length === 0
      ? h('p', {}, 'No stages yet: use Deploy API.')
      : h(
          'ul',
          {},
          stages.map((s) =>
            h(
              'li',
              {},
              h(
                'a',
                {
                  href: `#/apis/${enc(apiId)}/stages/${enc(s.stageName)}`,
                  'aria-current': s.stageName === stage?.stageName ? 'page' : false,
                },
                s.stageName,
              ),
            ),
          ),
        ),
  )
  return h(
    'div',
    {},
    apiHeader(api, 'stages', stage ? `Stage ${stage.stageName}` : `Stages of ${api.name}`),
    h(
      'div',
      { class: 'split' },
      h('section', { class: 'tree-pane', 'aria-label': 'Stage list' }, h('h2', {}, 'Stages'), list),
      stage
        ? await stageDetail(apiId, stage, deployments)
        : h('p', {}, stageName ? `No stage ${stageName}.` : ''),
    ),
  )
}

async function stageDetail(apiId, stage, deployments) {
  const stagePath = `/restapis/${enc(apiId)}/stages/${enc(stage.stageName)}`
  const url = invokeUrl(apiId, stage.stageName)
  const hostUrl = `${location.protocol}//${apiId}.execute-api.localhost:${location.port || (location.protocol === 'https:' ? 443 : 80)}/${stage.stageName}/`
  // The invoke URL of every method the stage serves, from the deployed snapshot (not the API as it is now).
  const summary = stage.deploymentId
    ? await get(`/restapis/${enc(apiId)}/deployments/${enc(stage.deploymentId)}?embed=apisummary`).catch(
        () => undefined,
      )
    : undefined
  const methodUrls = Object.entries(summary?.apiSummary ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([path, verbs]) =>
      Object.keys(verbs).map((verb) => [verb, path, invokeUrl(apiId, stage.stageName, path)]),
    )
  const sorted = [...deployments].sort((a, b) => (b.createdDate ?? 0) - (a.createdDate ?? 0))
  const history = table(
    `Deployment history of ${stage.stageName}`,
    ['Deployment', 'Description', 'Created (UTC)', 'State', actionsHeading()],
    sorted.map((d) => {
      const isCurrent = d.id === stage.deploymentId
      const isCanary = d.id === stage.canarySettings?.deploymentId
      return [
        h('code', {}, d.id),
        d.description ?? '',
        when(d.createdDate),
        isCurrent
          ? h('strong', { class: 'badge' }, 'current')
          : isCanary
            ? h('span', { class: 'badge' }, 'canary')
            : '',
        isCurrent
          ? ''
          : button(
              'Roll back to this',
              async () => {
                if (!confirm(`Point ${stage.stageName} at deployment ${d.id}?`)) return
                await change(
                  () => patch(stagePath, [{ op: 'replace', path: '/deploymentId', value: d.id }]),
                  `${stage.stageName} now serves deployment ${d.id}`,
                )
              },
              {
                'aria-label': `Roll back to this deployment: ${d.id}${d.description ? ` (${d.description})` : ''}`,
              },
            ),
      ]
    }),
  )

  const variables = keyValueEditor('Stage variables', stage.variables)
  const variablesForm = h(
    'form',
    {
      class: 'card',
      onsubmit: submitted(async () => {
        const ops = mapOps('/variables', stage.variables, variables.read()).map((op) =>
          op.op === 'add' ? { ...op, op: 'replace' } : op,
        )
        if (ops.length === 0) return
        await change(() => patch(stagePath, ops), 'Saved the stage variables')
      }),
    },
    h('h3', {}, 'Stage variables'),
    variables.el,
    h('button', { type: 'submit' }, 'Save stage variables'),
  )

  return h(
    'section',
    { class: 'detail', 'aria-labelledby': 'stage-title' },
    h('h2', { id: 'stage-title' }, `Stage ${stage.stageName}`),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Invoke URL'),
      h('dd', {}, h('a', { href: url, id: 'invoke-url', target: '_blank', rel: 'noopener' }, url)),
      h('dt', {}, 'Host form'),
      h('dd', {}, h('code', {}, hostUrl)),
      h('dt', {}, 'Deployment'),
      h('dd', {}, h('code', {}, stage.deploymentId ?? '')),
      h('dt', {}, 'Description'),
      h('dd', {}, stage.description ?? ''),
      h('dt', {}, 'Last updated (UTC)'),
      h('dd', {}, when(stage.lastUpdatedDate)),
    ),
    methodUrls.length
      ? h(
          'ul',
          { class: 'method-urls', 'aria-label': 'Invoke URLs of the deployed methods' },
          methodUrls.map(([verb, path, url]) =>
            h(
              'li',
              {},
              h('span', { class: 'verb' }, verb),
              ' ',
              h(
                'a',
                { href: url, target: '_blank', rel: 'noopener', 'aria-label': `${verb} ${path}: ${url}` },
                url,
              ),
            ),
          ),
        )
      : null,
    h('h3', {}, 'Deployment history'),
    history,
    h('div', { class: 'cards' }, variablesForm, stageSettingsForm(stagePath, stage)),
    methodOverrides(stagePath, stage, methodUrls),
    canaryCard(apiId, stagePath, stage),
    button(
      `Delete stage ${stage.stageName}`,
      async () => {
        if (!confirm(`Delete the stage ${stage.stageName}?`)) return
        if (await attempt(() => del(stagePath), `Deleted ${stage.stageName}`))
          location.hash = `#/apis/${enc(apiId)}/stages`
      },
      { class: 'danger' },
    ),
  )
}

function canaryCard(apiId, stagePath, stage) {
  const canary = stage.canarySettings
  if (!canary) {
    const percent = input({ type: 'number', min: '0', max: '100', step: 'any', value: '10' })
    const description = input({})
    return h(
      'form',
      {
        class: 'card',
        onsubmit: submitted(async () => {
          const body = {
            stageName: stage.stageName,
            canarySettings: { percentTraffic: Number(percent.value) },
            ...(description.value ? { description: description.value } : {}),
          }
          await change(() => post(`/restapis/${enc(apiId)}/deployments`, body), 'Deployed a canary')
        }),
      },
      h('h3', {}, 'Canary'),
      h(
        'p',
        { class: 'muted' },
        'Deploys the API as it is now to a canary of this stage, which takes a share of its traffic.',
      ),
      field('Canary traffic (%)', percent),
      field('Canary deployment description', description),
      h('button', { type: 'submit' }, 'Deploy a canary'),
    )
  }
  const percent = input({
    type: 'number',
    min: '0',
    max: '100',
    step: 'any',
    value: String(canary.percentTraffic ?? 0),
  })
  const overrides = keyValueEditor('Canary stage variable overrides', canary.stageVariableOverrides)
  return h(
    'form',
    {
      class: 'card',
      onsubmit: submitted(async () => {
        const ops = [
          { op: 'replace', path: '/canarySettings/percentTraffic', value: percent.value },
          ...mapOps(
            '/canarySettings/stageVariableOverrides',
            canary.stageVariableOverrides,
            overrides.read(),
          ).map((op) => (op.op === 'add' ? { ...op, op: 'replace' } : op)),
        ]
        await change(() => patch(stagePath, ops), 'Saved the canary')
      }),
    },
    h('h3', {}, 'Canary'),
    h(
      'p',
      {},
      'Canary deployment ',
      h('code', {}, canary.deploymentId ?? ''),
      `, ${canary.percentTraffic ?? 0}% of the traffic.`,
    ),
    field('Canary traffic (%)', percent),
    overrides.el,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit' }, 'Save canary'),
      button('Promote canary', async () => {
        if (!confirm(`Make the canary's deployment the deployment of ${stage.stageName}?`)) return
        const ops = [
          { op: 'copy', from: '/canarySettings/deploymentId', path: '/deploymentId' },
          ...(canary.stageVariableOverrides
            ? [{ op: 'copy', from: '/canarySettings/stageVariableOverrides', path: '/variables' }]
            : []),
          { op: 'remove', path: '/canarySettings' },
        ]
        await change(() => patch(stagePath, ops), 'Promoted the canary')
      }),
      button(
        'Delete canary',
        async () => {
          await change(
            () => patch(stagePath, [{ op: 'remove', path: '/canarySettings' }]),
            'Deleted the canary',
          )
        },
        { class: 'danger' },
      ),
    ),
  )
}
