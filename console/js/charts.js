// Inline SVG charts: a line chart for time series and a bar chart for daily usage. Each is an
// image with a text alternative (role="img" + aria-label) and a table-free summary next to it.

import { h } from './dom.js'

const COLORS = ['#1f5fbf', '#b4261a', '#2e7d32', '#7b3fa0', '#a15c00', '#00717a']

/** `series`: `[{ name, values: number[] }]`, all the same length, sampled at equal steps. */
export function lineChart({ title, series, width = 420, height = 140, unit = '' }) {
  const all = series.flatMap((s) => s.values).filter((v) => Number.isFinite(v))
  // An all-zero chart still gets a 0..1 scale.
  const max = Math.max(0, ...all) || 1
  const n = Math.max(2, ...series.map((s) => s.values.length))
  const pad = { l: 44, r: 8, t: 8, b: 18 }
  const x = (i) => pad.l + (i / (n - 1)) * (width - pad.l - pad.r)
  const y = (v) => height - pad.b - (v / max) * (height - pad.t - pad.b)
  const latest = series
    .map((s) => `${s.name} ${format(s.values[s.values.length - 1] ?? 0)}${unit}`)
    .join(', ')
  const svg = h(
    'svg:svg',
    {
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: 'img',
      'aria-label': `${title}: latest ${latest}`,
      class: 'chart',
    },
    h('svg:line', { x1: pad.l, y1: height - pad.b, x2: width - pad.r, y2: height - pad.b, class: 'axis' }),
    h('svg:line', { x1: pad.l, y1: pad.t, x2: pad.l, y2: height - pad.b, class: 'axis' }),
    h(
      'svg:text',
      { x: pad.l - 4, y: pad.t + 8, 'text-anchor': 'end', class: 'tick' },
      `${format(max)}${unit}`,
    ),
    h('svg:text', { x: pad.l - 4, y: height - pad.b, 'text-anchor': 'end', class: 'tick' }, `0${unit}`),
    series.map((s, k) =>
      s.values.length === 1
        ? h('svg:circle', {
            cx: x(0),
            cy: y(Number.isFinite(s.values[0]) ? s.values[0] : 0),
            r: 3,
            fill: COLORS[k % COLORS.length],
          })
        : h('svg:polyline', {
            points: s.values
              .map((v, i) => `${x(i).toFixed(1)},${y(Number.isFinite(v) ? v : 0).toFixed(1)}`)
              .join(' '),
            fill: 'none',
            stroke: COLORS[k % COLORS.length],
            'stroke-width': 2,
          }),
    ),
  )
  const legend = h(
    'ul',
    { class: 'legend' },
    series.map((s, k) =>
      h(
        'li',
        {},
        h('span', { class: `swatch swatch-${k % COLORS.length}`, 'aria-hidden': 'true' }),
        `${s.name}: ${format(s.values[s.values.length - 1] ?? 0)}${unit}`,
      ),
    ),
  )
  return h('figure', { class: 'chart-figure' }, h('figcaption', {}, title), svg, legend)
}

/** `bars`: `[{ label, value }]`. */
export function barChart({ title, bars, width = 420, height = 140 }) {
  const max = Math.max(1, ...bars.map((b) => b.value))
  const pad = { l: 36, r: 8, t: 8, b: 22 }
  const slot = (width - pad.l - pad.r) / Math.max(1, bars.length)
  const summary = bars.map((b) => `${b.label} ${b.value}`).join(', ')
  return h(
    'figure',
    { class: 'chart-figure' },
    h('figcaption', {}, title),
    h(
      'svg:svg',
      {
        viewBox: `0 0 ${width} ${height}`,
        width,
        height,
        role: 'img',
        'aria-label': `${title}: ${summary || 'no data'}`,
        class: 'chart',
      },
      h('svg:line', { x1: pad.l, y1: height - pad.b, x2: width - pad.r, y2: height - pad.b, class: 'axis' }),
      h('svg:text', { x: pad.l - 4, y: pad.t + 8, 'text-anchor': 'end', class: 'tick' }, String(max)),
      bars.map((b, i) => {
        const barHeight = (b.value / max) * (height - pad.t - pad.b)
        return [
          h('svg:rect', {
            x: pad.l + i * slot + 2,
            y: height - pad.b - barHeight,
            width: Math.max(1, slot - 4),
            height: barHeight,
            class: 'bar',
          }),
          h(
            'svg:text',
            { x: pad.l + i * slot + slot / 2, y: height - 6, 'text-anchor': 'middle', class: 'tick' },
            b.label,
          ),
        ]
      }),
    ),
  )
}

function format(v) {
  if (!Number.isFinite(v)) return '0'
  if (Math.abs(v) >= 100) return v.toFixed(0)
  if (Math.abs(v) >= 10) return v.toFixed(1)
  return v.toFixed(2).replace(/\.?0+$/, '') || '0'
}
