import { describe, expect, it } from 'vitest'

// The console's pure modules are browser ES modules without type declarations: load them by URL.
interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}
const prometheus = (await import(new URL('../../console/js/prometheus.js', import.meta.url).href)) as {
  parsePrometheus(text: string): Sample[]
  sumBy(samples: Sample[], name: string, by: string[]): Map<string, number>
}
const highlight = (await import(new URL('../../console/js/highlight.js', import.meta.url).href)) as {
  tokenize(source: string): [string, string][]
}

describe('console: Prometheus text parser', () => {
  const text = [
    '# HELP tollgate_api_requests_total Count',
    '# TYPE tollgate_api_requests_total counter',
    'tollgate_api_requests_total{api="a1",stage="dev",resource="",method=""} 3',
    'tollgate_api_requests_total{api="a1",stage="dev",resource="/x",method="GET"} 2',
    'tollgate_api_requests_total{api="a2",stage="prod",resource="",method=""} 1e3',
    'tollgate_api_latency_seconds_bucket{le="+Inf",api="a1",stage="dev"} 5',
    'weird{label="quote \\" slash \\\\ newline \\n end"} NaN',
    'process_start_time_seconds 1700000000',
    'broken{label=} 1',
  ].join('\n')

  it('reads names, labels (escapes included) and values', () => {
    const samples = prometheus.parsePrometheus(text)
    expect(samples).toHaveLength(6) // the broken line is skipped
    expect(samples[2]).toEqual({
      name: 'tollgate_api_requests_total',
      labels: { api: 'a2', stage: 'prod', resource: '', method: '' },
      value: 1000,
    })
    expect(samples[3]?.labels['le']).toBe('+Inf')
    expect(samples[4]?.labels['label']).toBe('quote " slash \\ newline \n end')
    expect(samples[4]?.value).toBeNaN()
    expect(samples[5]).toEqual({ name: 'process_start_time_seconds', labels: {}, value: 1700000000 })
  })

  it('sums a metric by API and stage across resources and methods', () => {
    const sums = prometheus.sumBy(prometheus.parsePrometheus(text), 'tollgate_api_requests_total', [
      'api',
      'stage',
    ])
    expect([...sums]).toEqual([
      ['a1\tdev', 5],
      ['a2\tprod', 1000],
    ])
  })
})

describe('console: template highlighter', () => {
  const template = [
    '## a comment',
    "#set($body = $input.path('$'))",
    '{',
    '  "id": "$context.requestId",',
    '  "count": 42, "ok": true,',
    '  #foreach($item in $body.items)"$item.name"#if($foreach.hasNext),#end#end',
    '  "raw": $!{stageVariables.name} #* block',
    'comment *#',
    '}',
  ].join('\n')

  it('gives the source back exactly', () => {
    expect(
      highlight
        .tokenize(template)
        .map(([, t]) => t)
        .join(''),
    ).toBe(template)
  })

  it('tells directives, references, keys, strings, numbers and comments apart', () => {
    const kinds = (kind: string): string[] =>
      highlight
        .tokenize(template)
        .filter(([k]) => k === kind)
        .map(([, t]) => t)
    expect(kinds('comment')).toEqual(['## a comment', '#* block\ncomment *#'])
    expect(kinds('directive')).toEqual(['#set', '#foreach', '#if', '#end', '#end'])
    expect(kinds('reference')).toContain('$input.path')
    expect(kinds('reference')).toContain('$!{stageVariables.name}')
    expect(kinds('key')).toEqual(['"id"', '"count"', '"ok"', '"raw"'])
    expect(kinds('number')).toEqual(['42'])
    expect(kinds('literal')).toEqual(['true'])
  })

  it('never loses text, whatever the input', () => {
    for (const source of ['', '#', '$', '"unterminated', "'x", '#*', '{{{', '\u0000\u{1F600}', '$a.b.c(']) {
      expect(
        highlight
          .tokenize(source)
          .map(([, t]) => t)
          .join(''),
      ).toBe(source)
    }
  })
})

interface Invocation {
  requestId: string
  stream: string
  at: number
  durationMs?: number
  maxMemoryMb?: number
  status: string
  lines: string[]
}
const invocations = (await import(new URL('../../console/js/invocations.js', import.meta.url).href)) as {
  invocationsFrom(events: { logStreamName: string; timestamp: number; message: string }[]): Invocation[]
}

describe('console: invocations from Lambda log events', () => {
  it('groups each stream’s START…REPORT runs, newest first, with duration and status', () => {
    const event = (logStreamName: string, timestamp: number, message: string) => ({
      logStreamName,
      timestamp,
      message,
    })
    const found = invocations.invocationsFrom([
      event('s1', 1, 'START RequestId: a Version: $LATEST'),
      event('s2', 2, 'START RequestId: b Version: $LATEST'),
      event('s1', 3, 'hello'),
      event('s1', 3, 'END RequestId: a'),
      event(
        's1',
        3,
        'REPORT RequestId: a\tDuration: 2.50 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB',
      ),
      event('s2', 4, '2026-12-04T00:00:00.000Z\tb\tERROR\tInvoke Error \t{"errorType":"Error"}'),
      event('s2', 4, 'END RequestId: b'),
      event('s2', 4, 'REPORT RequestId: b\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB'),
      event('s1', 5, 'START RequestId: c Version: $LATEST'),
    ])
    expect(found.map((i) => [i.requestId, i.status, i.durationMs])).toEqual([
      ['c', 'Running', undefined],
      ['b', 'Failed', 1],
      ['a', 'Succeeded', 2.5],
    ])
    expect(found[2]?.lines).toEqual([
      'START RequestId: a Version: $LATEST',
      'hello',
      'END RequestId: a',
      'REPORT RequestId: a\tDuration: 2.50 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB',
    ])
    expect(found[2]?.maxMemoryMb).toBe(40)
  })
})
