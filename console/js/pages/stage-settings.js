// A stage's method settings: the defaults for every method (the `*/*` key, with the cache
// cluster and the access log format) and per-method overrides (`~1pets/GET`), each patched
// through UpdateStage's `/{resourcePath}/{httpMethod}/{group}/{setting}` paths.

import { patch, pointer } from '../api.js'
import { change } from '../app.js'
import { button, field, h, input, select, submitted } from '../dom.js'

/** The controls of one method-settings entry, filled from `s` (AWS's MethodSetting). */
function settingControls(s = {}) {
  return {
    rate: input({ type: 'number', min: '0', step: 'any', value: String(s.throttlingRateLimit ?? 10000) }),
    burst: input({ type: 'number', min: '0', value: String(s.throttlingBurstLimit ?? 5000) }),
    caching: h('input', { type: 'checkbox', checked: Boolean(s.cachingEnabled) }),
    ttl: input({ type: 'number', min: '0', max: '3600', value: String(s.cacheTtlInSeconds ?? 300) }),
    level: select(['OFF', 'ERROR', 'INFO'], s.loggingLevel ?? 'OFF'),
    dataTrace: h('input', { type: 'checkbox', checked: Boolean(s.dataTraceEnabled) }),
    metrics: h('input', { type: 'checkbox', checked: Boolean(s.metricsEnabled) }),
  }
}

/** UpdateStage operations for the entry `key` (`*\/*` or `~1pets/GET`). */
function settingOps(key, c) {
  return [
    ['throttling/rateLimit', c.rate.value],
    ['throttling/burstLimit', c.burst.value],
    ['caching/enabled', String(c.caching.checked)],
    ['caching/ttlInSeconds', c.ttl.value],
    ['logging/loglevel', c.level.value],
    ['logging/dataTrace', String(c.dataTrace.checked)],
    ['metrics/enabled', String(c.metrics.checked)],
  ].map(([setting, value]) => ({ op: 'replace', path: `/${key}/${setting}`, value }))
}

function settingFieldsets(c, extra = {}) {
  return [
    h(
      'fieldset',
      {},
      h('legend', {}, 'Throttling'),
      h('div', { class: 'row' }, field('Rate limit (requests/s)', c.rate), field('Burst limit', c.burst)),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Caching'),
      extra.caching ?? null,
      field('Caching enabled', c.caching),
      field('Cache TTL (s)', c.ttl),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Logging and metrics'),
      field('Execution log level', c.level),
      field('Log full requests/responses', c.dataTrace),
      field('Detailed metrics', c.metrics),
      extra.logging ?? null,
    ),
  ]
}

/** The settings of every method, the cache cluster and the access log format. */
export function stageSettingsForm(stagePath, stage) {
  const c = settingControls(stage.methodSettings?.['*/*'])
  const cacheCluster = h('input', { type: 'checkbox', checked: Boolean(stage.cacheClusterEnabled) })
  const accessFormat = input({
    value: stage.accessLogSettings?.format ?? '',
    class: 'wide',
    placeholder: '$context.requestId $context.status',
  })
  return h(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'stage-settings-title',
      onsubmit: submitted(async () => {
        const ops = [
          ...settingOps('*/*', c),
          { op: 'replace', path: '/cacheClusterEnabled', value: String(cacheCluster.checked) },
        ]
        if (accessFormat.value.trim())
          ops.push({ op: 'replace', path: '/accessLogSettings/format', value: accessFormat.value.trim() })
        else if (stage.accessLogSettings) ops.push({ op: 'remove', path: '/accessLogSettings', value: '' })
        await change(() => patch(stagePath, ops), 'Saved the stage settings')
      }),
    },
    h('h3', { id: 'stage-settings-title' }, 'Settings for every method'),
    settingFieldsets(c, {
      caching: field('Cache cluster enabled', cacheCluster),
      logging: field('Access log format', accessFormat),
    }),
    h('button', { type: 'submit' }, 'Save settings'),
  )
}

/** `~1pets~1{id}/GET` → `GET /pets/{id}`. */
function describeKey(key) {
  const at = key.lastIndexOf('/')
  const path = key.slice(0, at).replaceAll('~1', '/').replaceAll('~0', '~')
  return `${key.slice(at + 1)} ${path}`
}

/**
 * Per-method overrides: one form per overridden method, and a form adding one for a method of
 * the deployment (`methods`: `[verb, path]` pairs).
 */
export function methodOverrides(stagePath, stage, methods) {
  const keys = Object.keys(stage.methodSettings ?? {}).filter((k) => k !== '*/*')
  const forms = keys.map((key) => {
    const c = settingControls(stage.methodSettings[key])
    const title = `Override for ${describeKey(key)}`
    const id = `override-${key.replace(/[^a-zA-Z0-9]/g, '-')}`
    return h(
      'form',
      {
        class: 'card',
        'aria-labelledby': id,
        onsubmit: submitted(async () => {
          await change(
            () => patch(stagePath, settingOps(key, c)),
            `Saved the override for ${describeKey(key)}`,
          )
        }),
      },
      h('h4', { id }, title),
      settingFieldsets(c),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit' }, 'Save override'),
        button(
          'Remove override',
          async () => {
            await change(
              () => patch(stagePath, [{ op: 'remove', path: `/${key}` }]),
              `Removed the override for ${describeKey(key)}`,
            )
          },
          { class: 'danger', 'aria-label': `Remove override for ${describeKey(key)}` },
        ),
      ),
    )
  })
  const choices = methods
    .map(([verb, path]) => [`${pointer(path)}/${verb}`, `${verb} ${path}`])
    .filter(([key]) => !keys.includes(key))
  const chosen = select(choices, choices[0]?.[0])
  const add = h(
    'form',
    {
      class: 'inline',
      onsubmit: submitted(async () => {
        if (!chosen.value) return
        // Any setting creates the entry from AWS's defaults; the form then shows it.
        await change(
          () =>
            patch(stagePath, [{ op: 'replace', path: `/${chosen.value}/metrics/enabled`, value: 'false' }]),
          `Added an override for ${describeKey(chosen.value)}`,
        )
      }),
    },
    field('Method', chosen),
    h('button', { type: 'submit' }, 'Add method override'),
  )
  return h(
    'section',
    { 'aria-labelledby': 'overrides-title' },
    h('h3', { id: 'overrides-title' }, 'Method overrides'),
    forms.length
      ? h('div', { class: 'cards' }, forms)
      : h('p', { class: 'muted' }, 'Every method uses the settings above.'),
    choices.length ? add : null,
  )
}
