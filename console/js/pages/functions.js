// Functions: the Lambda API at /2015-03-31/functions. List; a function's configuration (edit
// timeout, memory, description, environment); invoke with a test event (log tail included);
// recent invocations from anywhere and their log lines (CloudWatch Logs: FilterLogEvents on
// /aws/lambda/{name}) and the node's counters from /_tollgate/metrics.

import { ApiError, call, enc, get, logs } from '../api.js'
import { change } from '../app.js'
import {
  attempt,
  button,
  field,
  h,
  input,
  keyValueEditor,
  pageHeading,
  replace,
  select,
  submitted,
  table,
  when,
} from '../dom.js'
import { codeBlock, codeEditor, pretty } from '../highlight.js'
import { parsePrometheus } from '../prometheus.js'
import { invocationsFrom } from '../invocations.js'

const BASE = '/2015-03-31/functions'
/** Invocations listed at most. */
const RECENT = 20

async function listFunctions() {
  const out = []
  let marker
  do {
    const page = await get(`${BASE}/${marker ? `?Marker=${enc(marker)}` : ''}`)
    out.push(...(page?.Functions ?? []))
    marker = page?.NextMarker
  } while (marker)
  return out
}

export async function functionsPage(name) {
  const functions = await listFunctions()
  const rows = functions.map((f) => [
    h(
      'a',
      {
        href: `#/functions/${enc(f.FunctionName)}`,
        'aria-current': f.FunctionName === name ? 'page' : false,
      },
      f.FunctionName,
    ),
    f.Runtime ?? '',
    f.Handler ?? '',
    `${f.MemorySize ?? ''} MB`,
    `${f.Timeout ?? ''} s`,
    f.LastModified ? String(f.LastModified).slice(0, 19).replace('T', ' ') : '',
  ])
  const selected = functions.find((f) => f.FunctionName === name)
  return h(
    'div',
    {},
    pageHeading(selected ? `Function ${selected.FunctionName}` : 'Functions'),
    table(
      'Lambda functions on this node',
      ['Name', 'Runtime', 'Handler', 'Memory', 'Timeout', 'Last modified (UTC)'],
      rows,
      'No functions yet.',
    ),
    selected ? await functionDetail(selected) : createForm(),
  )
}

async function functionDetail(fn) {
  const path = `${BASE}/${enc(fn.FunctionName)}`
  const metrics = await fetch('/_tollgate/metrics')
    .then((r) => (r.ok ? r.text() : ''))
    .catch(() => '')
  const samples = parsePrometheus(metrics).filter((s) => s.labels.function === fn.FunctionName)
  const metric = (n) => samples.filter((s) => s.name === n).reduce((sum, s) => sum + s.value, 0)
  const invocations = metric('tollgate_lambda_invocations_total')
  const durationSum = metric('tollgate_lambda_duration_seconds_sum')
  const durationCount = metric('tollgate_lambda_duration_seconds_count')

  const timeout = input({ type: 'number', min: '1', max: '900', value: String(fn.Timeout ?? 3) })
  const memory = input({ type: 'number', min: '128', max: '10240', value: String(fn.MemorySize ?? 128) })
  const description = input({ value: fn.Description ?? '' })
  const env = keyValueEditor('Environment variables', fn.Environment?.Variables)
  const config = h(
    'form',
    {
      class: 'card',
      onsubmit: submitted(async () => {
        const body = {
          Timeout: Number(timeout.value),
          MemorySize: Number(memory.value),
          Description: description.value,
          Environment: { Variables: env.read() },
        }
        await change(() => call('PUT', `${path}/configuration`, body), 'Saved the configuration')
      }),
    },
    h('h2', {}, 'Configuration'),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'ARN'),
      h('dd', {}, h('code', {}, fn.FunctionArn)),
      h('dt', {}, 'Runtime'),
      h('dd', {}, fn.Runtime ?? ''),
      h('dt', {}, 'Handler'),
      h('dd', {}, fn.Handler ?? ''),
      h('dt', {}, 'Code size'),
      h('dd', {}, `${fn.CodeSize ?? 0} bytes`),
    ),
    h('div', { class: 'row' }, field('Timeout (s)', timeout), field('Memory (MB)', memory)),
    field('Description', description),
    env.el,
    h('button', { type: 'submit' }, 'Save configuration'),
  )

  const event = codeEditor({ label: 'Test event (JSON)', value: '{\n  "key": "value"\n}', rows: 8 })
  const result = h('div', { 'aria-live': 'polite' })
  const recent = recentInvocations(fn.FunctionName)
  const invoke = h(
    'form',
    {
      class: 'card',
      onsubmit: submitted(async () => {
        replace(result, h('p', {}, 'Invoking…'))
        const started = performance.now()
        const response = await attempt(() =>
          fetch(`${path}/invocations`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-amz-log-type': 'Tail' },
            body: event.value,
          }),
        )
        if (!response) return replace(result)
        const text = await response.text()
        const ms = Math.round(performance.now() - started)
        const error = response.headers.get('x-amz-function-error')
        const logTail = response.headers.get('x-amz-log-result')
        void recent.refresh()
        replace(
          result,
          h(
            'dl',
            { class: 'facts' },
            h('dt', {}, 'Status'),
            h('dd', { id: 'invoke-status' }, String(response.status)),
            h('dt', {}, 'Duration (round trip)'),
            h('dd', {}, `${ms} ms`),
            error ? [h('dt', {}, 'Function error'), h('dd', {}, error)] : null,
          ),
          h('h3', {}, 'Response'),
          codeBlock(pretty(text), 'Invocation response'),
          logTail
            ? [
                h('h3', {}, 'Log (last 4 KB)'),
                h('pre', { class: 'log', tabindex: '0', 'aria-label': 'Function log' }, decodeLog(logTail)),
              ]
            : null,
        )
      }),
    },
    h('h2', {}, 'Invoke'),
    event.el,
    h('button', { type: 'submit', class: 'primary' }, 'Invoke'),
    result,
  )
  return h(
    'div',
    {},
    h(
      'p',
      { class: 'muted' },
      `On this node since it started: ${invocations} invocations, ${metric('tollgate_lambda_errors_total')} errors, ${metric('tollgate_lambda_throttles_total')} throttles, mean duration ${durationCount ? Math.round((durationSum / durationCount) * 1000) : 0} ms.`,
    ),
    h('div', { class: 'cards' }, config, invoke),
    codeForm(fn),
    recent.el,
  )
}

/**
 * The function's recent invocations, wherever they came from (the Invoke API, an API, an
 * authorizer, an Event invocation), read from its log group as the AWS console reads them, and
 * the log lines of the one selected.
 */
function recentInvocations(name) {
  const list = h('div', { 'aria-live': 'polite' })
  const detail = h('div', {})
  /** @type {string | undefined} */
  let selected
  const show = (invocation) => {
    selected = invocation.requestId
    replace(
      detail,
      h('h3', { id: 'invocation-log-title' }, `Log of ${invocation.requestId}`),
      h('p', { class: 'muted' }, `Log stream ${invocation.stream}`),
      h(
        'pre',
        { class: 'log', tabindex: '0', 'aria-labelledby': 'invocation-log-title' },
        invocation.lines.join('\n'),
      ),
    )
  }
  const refresh = async () => {
    const answer = await attempt(() =>
      logs('FilterLogEvents', { logGroupName: `/aws/lambda/${name}` }).catch((error) => {
        // No invocation yet: Lambda has not created the group.
        if (error instanceof ApiError && error.type === 'ResourceNotFoundException') return { events: [] }
        throw error
      }),
    )
    if (!answer) return
    const invocations = invocationsFrom(answer.events ?? []).slice(0, RECENT)
    replace(
      list,
      table(
        'Recent invocations (newest first; from the log group)',
        ['Request id', 'Time (UTC)', 'Duration', 'Status'],
        invocations.map((invocation) => [
          button(invocation.requestId, () => show(invocation), {
            class: 'link',
            'aria-label': `Show the log of invocation ${invocation.requestId}`,
          }),
          when(invocation.at),
          invocation.durationMs === undefined ? '' : `${invocation.durationMs} ms`,
          invocation.status,
        ]),
        'No invocations logged yet.',
      ),
    )
    const current = invocations.find((i) => i.requestId === selected) ?? invocations[0]
    if (current) show(current)
    else replace(detail)
  }
  void refresh()
  const el = h(
    'section',
    { 'aria-labelledby': 'runs-title' },
    h('h2', { id: 'runs-title' }, 'Recent invocations'),
    h(
      'p',
      { class: 'muted' },
      `From the CloudWatch Logs group /aws/lambda/${name}: START, END and REPORT lines of every invocation on this node.`,
    ),
    button('Refresh invocations', () => void refresh(), { class: 'secondary' }),
    list,
    detail,
  )
  return { el, refresh }
}

const RUNTIMES = [
  'nodejs24.x',
  'nodejs22.x',
  'nodejs20.x',
  'nodejs18.x',
  'python3.13',
  'python3.12',
  'python3.11',
  'python3.10',
  'python3.9',
  'provided.al2023',
  'provided.al2',
]

/** A zip file chosen in the page, base64-encoded as the Lambda API takes `ZipFile`. */
async function zipBase64(fileInput) {
  const file = fileInput.files?.[0]
  if (!file) throw new Error('Choose a .zip file')
  const bytes = new Uint8Array(await file.arrayBuffer())
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

/** CreateFunction from a zip package. */
function createForm() {
  const name = input({ required: true, autocomplete: 'off', pattern: '[A-Za-z0-9_-]{1,64}' })
  const runtime = select(RUNTIMES, 'nodejs20.x')
  const handler = input({ value: 'index.handler', required: true })
  const zip = h('input', { type: 'file', accept: '.zip,application/zip', required: true })
  return h(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'create-function-title',
      onsubmit: submitted(async () => {
        const created = await attempt(
          async () =>
            call('POST', `${BASE}`, {
              FunctionName: name.value.trim(),
              Runtime: runtime.value,
              Handler: handler.value.trim(),
              Role: 'arn:aws:iam::000000000000:role/lambda-role',
              Code: { ZipFile: await zipBase64(zip) },
            }),
          `Created ${name.value.trim()}`,
        )
        if (created) location.hash = `#/functions/${enc(created.FunctionName)}`
      }),
    },
    h('h2', { id: 'create-function-title' }, 'Create a function'),
    field('Function name', name),
    h('div', { class: 'row' }, field('Runtime', runtime), field('Handler', handler)),
    field('Code (.zip package)', zip),
    h('button', { type: 'submit' }, 'Create function'),
  )
}

/** UpdateFunctionCode from a zip package, and DeleteFunction. */
function codeForm(fn) {
  const path = `${BASE}/${enc(fn.FunctionName)}`
  const zip = h('input', { type: 'file', accept: '.zip,application/zip', required: true })
  return h(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'code-title',
      onsubmit: submitted(async () => {
        await change(
          async () => call('PUT', `${path}/code`, { ZipFile: await zipBase64(zip) }),
          'Updated the code',
        )
      }),
    },
    h('h2', { id: 'code-title' }, 'Code'),
    field('New code (.zip package)', zip),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit' }, 'Upload code'),
      button(
        `Delete function ${fn.FunctionName}`,
        async () => {
          if (!confirm(`Delete the function ${fn.FunctionName}?`)) return
          if (await attempt(() => call('DELETE', path).then(() => true), `Deleted ${fn.FunctionName}`))
            location.hash = '#/functions'
        },
        { class: 'danger' },
      ),
    ),
  )
}

function decodeLog(base64) {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)))
  } catch {
    return ''
  }
}
