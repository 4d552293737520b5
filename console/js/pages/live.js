// Live view: requests/s, mean latency and error rates per API and stage, from the public
// /_tollgate/metrics endpoint (Prometheus text, parsed here), sampled every two seconds.

import { listAll } from '../api.js'
import { h, pageHeading, replace, table } from '../dom.js'
import { lineChart } from '../charts.js'
import { parsePrometheus, sumBy } from '../prometheus.js'

const INTERVAL_MS = 2000
const POINTS = 60
const LABELS = ['api', 'stage']

export async function livePage() {
  const apis = await listAll('/restapis').catch(() => [])
  const names = new Map(apis.map((a) => [a.id, a.name]))
  const charts = h('div', { class: 'live-charts' })
  const summary = h('div', {})
  const status = h('p', { class: 'muted', id: 'live-status' }, 'Waiting for the first sample…')
  /** Per api/stage: the last counters and the rolling series. */
  const series = new Map()
  let previous
  let timer
  let stopped = false

  const sample = async () => {
    let text
    try {
      const response = await fetch('/_tollgate/metrics')
      text = await response.text()
    } catch {
      status.textContent = 'Could not read /_tollgate/metrics.'
      return
    }
    const samples = parsePrometheus(text)
    const now = performance.now()
    const current = {
      count: sumBy(samples, 'tollgate_api_requests_total', LABELS),
      e4: sumBy(samples, 'tollgate_api_4xx_errors_total', LABELS),
      e5: sumBy(samples, 'tollgate_api_5xx_errors_total', LABELS),
      latSum: sumBy(samples, 'tollgate_api_latency_seconds_sum', LABELS),
      latCount: sumBy(samples, 'tollgate_api_latency_seconds_count', LABELS),
    }
    if (previous) {
      const seconds = (now - previous.at) / 1000
      for (const key of current.count.keys()) {
        const d = (m) => Math.max(0, (current[m].get(key) ?? 0) - (previous.values[m].get(key) ?? 0))
        const requests = d('count')
        const entry = series.get(key) ?? { rps: [], latency: [], e4: [], e5: [] }
        const push = (list, v) => {
          list.push(v)
          if (list.length > POINTS) list.shift()
        }
        push(entry.rps, requests / seconds)
        push(entry.latency, d('latCount') ? (d('latSum') / d('latCount')) * 1000 : 0)
        push(entry.e4, requests ? (d('e4') / requests) * 100 : 0)
        push(entry.e5, requests ? (d('e5') / requests) * 100 : 0)
        series.set(key, entry)
      }
    }
    previous = { at: now, values: current }
    render(current)
    status.textContent = `Last sample ${new Date().toISOString().slice(11, 19)} UTC, every ${INTERVAL_MS / 1000} s.`
  }

  const label = (key) => {
    const [api, stage] = key.split('\t')
    return `${names.get(api) ?? api} / ${stage}`
  }
  const render = (current) => {
    const keys = [...current.count.keys()].sort()
    replace(
      summary,
      table(
        'Totals since the node started',
        ['API / stage', 'Requests', '4XX', '5XX', 'Mean latency'],
        keys.map((k) => [
          label(k),
          String(current.count.get(k) ?? 0),
          String(current.e4.get(k) ?? 0),
          String(current.e5.get(k) ?? 0),
          `${current.latCount.get(k) ? Math.round(((current.latSum.get(k) ?? 0) / (current.latCount.get(k) ?? 1)) * 1000) : 0} ms`,
        ]),
        'No requests served yet.',
      ),
    )
    replace(
      charts,
      [...series.entries()].sort().map(([key, s]) =>
        h(
          'section',
          { class: 'card live', 'aria-label': label(key) },
          h('h2', {}, label(key)),
          h(
            'div',
            { class: 'chart-row' },
            lineChart({ title: 'Requests per second', series: [{ name: 'req/s', values: s.rps }] }),
            lineChart({
              title: 'Mean latency',
              series: [{ name: 'latency', values: s.latency }],
              unit: ' ms',
            }),
            lineChart({
              title: 'Error rate',
              series: [
                { name: '4XX', values: s.e4 },
                { name: '5XX', values: s.e5 },
              ],
              unit: '%',
            }),
          ),
        ),
      ),
    )
  }

  const loop = async () => {
    await sample()
    if (!stopped) timer = setTimeout(() => void loop(), INTERVAL_MS)
  }
  void loop()
  const el = h(
    'div',
    {},
    pageHeading('Live view'),
    h(
      'p',
      {},
      'Every API and stage this node served, from ',
      h('a', { href: '/_tollgate/metrics' }, '/_tollgate/metrics'),
      '.',
    ),
    status,
    summary,
    charts,
  )
  return {
    el,
    leave: () => {
      stopped = true
      clearTimeout(timer)
    },
  }
}
