// The Test panel of a method: TestInvokeMethod with a path, headers, stage variables and body;
// the status, latency, headers, body and execution log it answers.

import { attempt, field, h, input, replace, submitted, table } from '../dom.js'
import { post } from '../api.js'
import { codeBlock, codeEditor, pretty } from '../highlight.js'
import { panelHeading } from './method-editors.js'

export function testPanel(path, resource) {
  const target = input({ value: resource.path, class: 'wide' })
  const headers = h('textarea', { rows: 3, placeholder: 'Accept: application/json' })
  const variables = h('textarea', { rows: 2, placeholder: 'name=value' })
  const body = codeEditor({ label: 'Request body', rows: 5 })
  const result = h('div', { class: 'test-result', 'aria-live': 'polite' })
  return h(
    'div',
    {},
    h(
      'form',
      {
        onsubmit: submitted(async () => {
          replace(result, h('p', {}, 'Running…'))
          const answer = await attempt(() =>
            post(path, {
              pathWithQueryString: target.value,
              headers: lines(headers.value, ':'),
              stageVariables: lines(variables.value, '='),
              body: body.value,
            }),
          )
          if (!answer) return replace(result)
          replace(
            result,
            h('h3', {}, 'Response'),
            h(
              'dl',
              { class: 'facts' },
              h('dt', {}, 'Status'),
              h('dd', { id: 'test-status' }, String(answer.status)),
              h('dt', {}, 'Latency'),
              h('dd', {}, `${answer.latency} ms`),
            ),
            table(
              'Response headers',
              ['Header', 'Value'],
              Object.entries(answer.headers ?? {}).map(([k, v]) => [k, v]),
              'No headers.',
            ),
            h('h4', {}, 'Response body'),
            h('div', { id: 'test-body' }, codeBlock(pretty(answer.body ?? ''), 'Response body')),
            h('h4', {}, 'Execution log'),
            h('pre', { class: 'log', tabindex: '0', 'aria-label': 'Execution log' }, answer.log ?? ''),
          )
        }),
      },
      panelHeading('Test'),
      h(
        'p',
        { class: 'muted' },
        'Runs the method as defined now (not as deployed), without authorizers, API keys, throttling or the cache.',
      ),
      field('Path and query string', target),
      field('Headers (one "Name: value" per line)', headers),
      field('Stage variables (one "name=value" per line)', variables),
      body.el,
      h('button', { type: 'submit', class: 'primary' }, 'Run test'),
    ),
    result,
  )
}

/** `Name: value` (or `name=value`) lines as an object; lines without the separator are skipped. */
export function lines(text, separator) {
  const out = {}
  for (const line of text.split('\n')) {
    const at = line.indexOf(separator)
    if (at > 0) out[line.slice(0, at).trim()] = line.slice(at + 1).trim()
  }
  return out
}
