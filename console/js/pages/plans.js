// Usage plans: list and create; a plan's API stages and keys; its usage (GetUsage) as a chart.

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
  select,
  submitted,
  table,
} from '../dom.js'
import { barChart } from '../charts.js'

export async function plansPage(planId) {
  const plans = await listAll('/usageplans')
  const plan = plans.find((p) => p.id === planId)
  const rows = plans.map((p) => [
    h('a', { href: `#/plans/${enc(p.id)}`, 'aria-current': p.id === planId ? 'page' : false }, p.name),
    h('code', {}, p.id),
    p.throttle ? `${p.throttle.rateLimit ?? '–'}/s, burst ${p.throttle.burstLimit ?? '–'}` : 'none',
    p.quota ? `${p.quota.limit} per ${p.quota.period.toLowerCase()}` : 'none',
    (p.apiStages ?? []).map((s) => `${s.apiId}:${s.stage}`).join(', ') || 'none',
  ])
  const { name, rate, burst, quota, period, fields } = planFields()
  const create = h(
    'form',
    {
      class: 'card',
      onsubmit: submitted(async () => {
        const body = {
          name: name.value.trim(),
          ...(rate.value || burst.value
            ? {
                throttle: {
                  ...(rate.value ? { rateLimit: Number(rate.value) } : {}),
                  ...(burst.value ? { burstLimit: Number(burst.value) } : {}),
                },
              }
            : {}),
          ...(quota.value ? { quota: { limit: Number(quota.value), period: period.value } } : {}),
        }
        const created = await attempt(() => post('/usageplans', body), `Created ${body.name}`)
        if (created) location.hash = `#/plans/${enc(created.id)}`
      }),
    },
    h('h2', {}, 'Create a usage plan'),
    fields,
    h('button', { type: 'submit' }, 'Create usage plan'),
  )
  return h(
    'div',
    {},
    pageHeading(plan ? `Usage plan ${plan.name}` : 'Usage plans'),
    table('Usage plans', ['Name', 'ID', 'Throttle', 'Quota', 'API stages'], rows, 'No usage plans yet.'),
    plan ? await planDetail(plan) : create,
  )
}

/** The name, throttle and quota controls of a plan (empty for a new one). */
function planFields(plan) {
  const name = input({ required: true, autocomplete: 'off', value: plan?.name ?? '' })
  const rate = input({
    type: 'number',
    min: '0',
    step: 'any',
    value: String(plan?.throttle?.rateLimit ?? ''),
  })
  const burst = input({ type: 'number', min: '0', value: String(plan?.throttle?.burstLimit ?? '') })
  const quota = input({ type: 'number', min: '0', value: String(plan?.quota?.limit ?? '') })
  const period = select(['DAY', 'WEEK', 'MONTH'], plan?.quota?.period ?? 'DAY')
  const fields = [
    field('Name', name),
    h('div', { class: 'row' }, field('Rate limit (requests/s)', rate), field('Burst limit', burst)),
    h('div', { class: 'row' }, field('Quota (requests)', quota), field('Quota period', period)),
  ]
  return { name, rate, burst, quota, period, fields }
}

/** UpdateUsagePlan operations from the edited controls: empty throttle or quota fields remove them. */
function planOps(plan, { name, rate, burst, quota, period }) {
  /** @type {{ op: string, path: string, value?: string }[]} */
  const ops = [{ op: 'replace', path: '/name', value: name.value.trim() }]
  if (!rate.value && !burst.value) {
    if (plan.throttle) ops.push({ op: 'remove', path: '/throttle' })
  } else {
    if (rate.value) ops.push({ op: 'replace', path: '/throttle/rateLimit', value: rate.value })
    if (burst.value) ops.push({ op: 'replace', path: '/throttle/burstLimit', value: burst.value })
  }
  if (!quota.value) {
    if (plan.quota) ops.push({ op: 'remove', path: '/quota' })
  } else {
    ops.push({ op: 'replace', path: '/quota/limit', value: quota.value })
    ops.push({ op: 'replace', path: '/quota/period', value: period.value })
  }
  return ops
}

async function planDetail(plan) {
  const planPath = `/usageplans/${enc(plan.id)}`
  const today = new Date()
  const start = new Date(today.getTime() - 6 * 86_400_000)
  const day = (d) => d.toISOString().slice(0, 10)
  const [members, keys, apis, usage] = await Promise.all([
    listAll(`${planPath}/keys`),
    listAll('/apikeys'),
    listAll('/restapis'),
    get(`${planPath}/usage?startDate=${day(start)}&endDate=${day(today)}`).catch(() => undefined),
  ])
  const stageChoices = (
    await Promise.all(
      apis.map(async (api) =>
        (await listAll(`/restapis/${enc(api.id)}/stages`).catch(() => [])).map((s) => [
          `${api.id}:${s.stageName}`,
          `${api.name} / ${s.stageName}`,
        ]),
      ),
    )
  ).flat()
  const inPlan = new Set((plan.apiStages ?? []).map((s) => `${s.apiId}:${s.stage}`))
  const addable = stageChoices.filter(([value]) => !inPlan.has(value))
  const stageSelect = select(addable, addable[0]?.[0])
  const stagesTable = table(
    'API stages of this plan',
    ['API stage', actionsHeading()],
    (plan.apiStages ?? []).map((s) => [
      `${apis.find((a) => a.id === s.apiId)?.name ?? s.apiId} / ${s.stage}`,
      button(
        'Remove',
        async () => {
          await change(
            () => patch(planPath, [{ op: 'remove', path: '/apiStages', value: `${s.apiId}:${s.stage}` }]),
            'Removed the stage',
          )
        },
        { class: 'danger', 'aria-label': `Remove stage ${s.apiId}:${s.stage}` },
      ),
    ]),
    'No API stages: keys of this plan reach no API yet.',
  )
  const keySelect = select(
    keys.filter((k) => !members.some((m) => m.id === k.id)).map((k) => [k.id, k.name]),
    undefined,
  )
  const keysTable = table(
    'API keys of this plan',
    ['Key', 'ID', actionsHeading()],
    members.map((m) => [
      m.name,
      h('code', {}, m.id),
      button(
        'Remove',
        async () => {
          await change(() => del(`${planPath}/keys/${enc(m.id)}`), `Removed ${m.name}`)
        },
        { class: 'danger', 'aria-label': `Remove key ${m.name}` },
      ),
    ]),
    'No keys in this plan.',
  )
  const days = []
  for (let d = new Date(start); d <= today; d = new Date(d.getTime() + 86_400_000)) days.push(day(d))
  const totals = days.map((_, i) =>
    Object.values(usage?.values ?? {}).reduce((sum, perDay) => sum + (perDay[i]?.[0] ?? 0), 0),
  )
  return h(
    'section',
    { class: 'detail', 'aria-labelledby': 'plan-title' },
    h('h2', { id: 'plan-title' }, plan.name),
    h('p', {}, h('a', { href: '#/plans' }, 'All usage plans')),
    editForm(plan),
    h(
      'div',
      { class: 'cards' },
      h(
        'form',
        {
          class: 'card',
          onsubmit: submitted(async () => {
            await change(
              () => patch(planPath, [{ op: 'add', path: '/apiStages', value: stageSelect.value }]),
              'Added the stage',
            )
          }),
        },
        h('h3', {}, 'API stages'),
        stagesTable,
        addable.length
          ? [field('API stage', stageSelect), h('button', { type: 'submit' }, 'Add API stage')]
          : h(
              'p',
              {},
              stageChoices.length ? 'Every stage is in this plan.' : 'Deploy an API to a stage first.',
            ),
      ),
      h(
        'form',
        {
          class: 'card',
          onsubmit: submitted(async () => {
            if (!keySelect.value) return
            await change(
              () => post(`${planPath}/keys`, { keyId: keySelect.value, keyType: 'API_KEY' }),
              'Added the key',
            )
          }),
        },
        h('h3', {}, 'API keys'),
        keysTable,
        keySelect.options.length
          ? [field('API key', keySelect), h('button', { type: 'submit' }, 'Add API key')]
          : h('p', {}, 'No other keys to add.'),
      ),
    ),
    barChart({
      title: `Requests per day (UTC), ${days[0]} to ${days[days.length - 1]}`,
      bars: days.map((d, i) => ({ label: d.slice(5), value: totals[i] })),
    }),
    button(
      `Delete usage plan ${plan.name}`,
      async () => {
        if (!confirm(`Delete the usage plan ${plan.name}?`)) return
        if (await attempt(() => del(planPath), `Deleted ${plan.name}`)) location.hash = '#/plans'
      },
      { class: 'danger' },
    ),
  )
}

function editForm(plan) {
  const controls = planFields(plan)
  return h(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'edit-plan-title',
      onsubmit: submitted(async () => {
        await change(
          () => patch(`/usageplans/${enc(plan.id)}`, planOps(plan, controls)),
          'Saved the usage plan',
        )
      }),
    },
    h('h3', { id: 'edit-plan-title' }, 'Limits'),
    controls.fields,
    h('button', { type: 'submit' }, 'Save usage plan'),
  )
}
