import { describe, expect, it } from 'vitest'
import {
  compileTemplate,
  fromPlain,
  mayChangeValues,
  paramsValue,
  type TemplateValue,
  type TemplateVariables,
} from '../../../../src/dataplane/mapping/velocity/index.js'

// Blocks are taken apart once per parsed template and shared by every render (interpreter.ts
// `blockShape`); these renders check that the second pass over the same AST, with other data,
// takes other branches and that loop state does not leak from one render or loop to the next.
// Expected texts follow Velocity 1.7 (the engine AWS runs): #if/#elseif/#else take the first true
// branch; $foreach is the innermost loop's and comes back after a nested loop.

function variables(body: string): TemplateVariables {
  return { input: { body, path: {}, querystring: {}, header: {} }, context: {}, stageVariables: {} }
}

describe('blocks rendered again', () => {
  const branches = compileTemplate(
    "#set($n = $input.path('$.n'))#if($n == 1)one#elseif($n == 2)two#elseif($n == 3)three#{else}many#end",
  )

  it('takes the first true branch of an #if, on every render of the same template', () => {
    const out = ['{"n":1}', '{"n":2}', '{"n":3}', '{"n":9}', '{"n":2}'].map(
      (body) => branches.render(variables(body)).output,
    )
    expect(out).toEqual(['one', 'two', 'three', 'many', 'two'])
  })

  it('renders nothing for an #if without a true branch and no #else', () => {
    const template = compileTemplate("#if($input.path('$.x'))yes#elseif(false)no#end.")
    expect(template.render(variables('{}')).output).toBe('.')
    expect(template.render(variables('{"x":true}')).output).toBe('yes.')
  })

  it('gives each loop its own $foreach and restores the outer one after a nested loop', () => {
    const template = compileTemplate(
      '#foreach($a in [1, 2])[$foreach.index#foreach($b in [7, 8, 9])$foreach.count#end$foreach.index $foreach.hasNext]#end',
    )
    const expected = '[01230 true][11231 false]'
    expect(template.render(variables('')).output).toBe(expected)
    expect(template.render(variables('')).output).toBe(expected)
  })

  it('stops a loop at #break and goes on after it', () => {
    const template = compileTemplate(
      "#foreach($i in $input.path('$.items'))#if($i == 3)#break#end$i,#end end",
    )
    expect(template.render(variables('{"items":[1,2,3,4]}')).output).toBe('1,2, end')
    expect(template.render(variables('{"items":[5,6]}')).output).toBe('5,6, end')
  })

  it('defines a block and a macro once per render, from the same parsed body', () => {
    const template = compileTemplate(
      "#define($greeting)hi $input.path('$.who')#end#macro(twice $x)$x$x#end$greeting/#twice('ab')",
    )
    expect(template.render(variables('{"who":"ann"}')).output).toBe('hi ann/abab')
    expect(template.render(variables('{"who":"bob"}')).output).toBe('hi bob/abab')
  })
})

// A request's `$context` is converted once and handed to each of its templates as template values
// (render-template.ts `templateContext`); each render works on a copy of its own.
describe('$context given as converted values', () => {
  const context = fromPlain({ stage: 'live', identity: { sourceIp: '127.0.0.1' } }) as Map<
    string,
    TemplateValue
  >
  const withContext = (body: string): TemplateVariables => ({ ...variables(body), context })
  const changes = compileTemplate(
    "$context.identity.sourceIp $context.stage#set($ignored = $context.identity.put('sourceIp', 'changed'))#set($context.stage = 'other') $context.identity.sourceIp $context.stage",
  )

  it('lets a render change its copy, and the next render sees the values as given', () => {
    expect(changes.render(withContext('')).output).toBe('127.0.0.1 live changed other')
    expect(changes.render(withContext('')).output).toBe('127.0.0.1 live changed other')
    expect((context.get('identity') as Map<string, TemplateValue>).get('sourceIp')).toBe('127.0.0.1')
    expect(context.has('requestOverride')).toBe(false)
  })
})

// A template that cannot change a value it reads gets the request's converted values without a
// copy (index.ts `mayChangeValues`); any other still gets copies, so sharing must never let one
// render's change reach the next render.
describe('values shared by the renders of one request', () => {
  it('tells the templates that may change a value from those that only read', () => {
    const changing = [
      "#set($x = $context.identity.put('a', 1))",
      '$input.params().header.remove("Host")',
      '#set($l = [])$l.add(1)',
      '$m.putAll($n)',
      '$m.clear()',
      '$l.set(0, 2)',
      '$l .addAll ( $k )',
      '#set($context.stage = "x")',
      '#set( $!{m.key} = 1)',
      '#set($m["k"] = 1)',
      '#{set}($context.requestOverride.header.x = "1")',
      '"text with $m.put(\'k\', 1) inside a string"',
      '#macro(m $a)#set($a.b = 1)#end',
    ]
    const reading = [
      "#set($body = $input.path('$'))$body.message",
      '#foreach($name in $input.params().header.keySet())$input.params().header.get($name)#end',
      '#set($x = $context.stage)$x.length() $util.escapeJavaScript($x)',
      '$context.requestOverride.header.x',
      'output that says: set(1) and .put it there',
    ]
    expect(changing.filter((t) => !mayChangeValues(t))).toEqual([])
    expect(reading.filter((t) => mayChangeValues(t))).toEqual([])
  })

  it('keeps the shared parameters as received when a template changes its own copy', () => {
    const records = { path: {}, querystring: { id: '42' }, header: { Host: 'example.com' } }
    let shared: Map<string, TemplateValue> | undefined
    const input = { body: '', ...records, sharedParams: () => (shared ??= paramsValue(records)) }
    const vars: TemplateVariables = { input, context: new Map(), stageVariables: {} }
    const reads = compileTemplate('[$input.params().header.Host|$input.params().querystring.id]')
    const changes = compileTemplate(
      "#set($h = $input.params().header)#set($x = $h.remove('Host'))#set($q = $input.params().querystring)#set($q.id = 'x')[$h.Host|$q.id]",
    )
    expect(reads.render(vars).output).toBe('[example.com|42]')
    expect(shared).toBeDefined()
    expect(changes.render(vars).output).toBe('[|x]')
    expect(reads.render(vars).output).toBe('[example.com|42]')
    expect((shared?.get('header') as Map<string, TemplateValue>).get('Host')).toBe('example.com')
  })

  it('gives a reading template the converted $context without letting it add to it', () => {
    const context = fromPlain({ stage: 'live', identity: { sourceIp: '127.0.0.1' } }) as Map<
      string,
      TemplateValue
    >
    const reads = compileTemplate(
      '$context.stage $context.identity.sourceIp $context.responseOverride.status',
    )
    const vars: TemplateVariables = { ...variables(''), context }
    expect(reads.render(vars).output).toBe('live 127.0.0.1 ')
    expect(context.has('requestOverride') || context.has('responseOverride')).toBe(false)
  })

  it('gives overrides only to a template that names them, and both render alike otherwise', () => {
    const context = fromPlain({ stage: 'live' }) as Map<string, TemplateValue>
    const vars: TemplateVariables = { ...variables(''), context }
    const plain = compileTemplate('$context.stage #foreach($k in $context.keySet())$k,#end')
    const naming = compileTemplate(
      '$context.stage #set($context.responseOverride.status = 201)#set($context.requestOverride.header.x = "1")',
    )
    const first = plain.render(vars)
    expect(first.output).toBe('live stage,')
    expect(first.overrides).toEqual({
      request: { header: {}, querystring: {}, path: {} },
      response: { header: {} },
    })
    const second = naming.render(vars)
    expect(second.output).toBe('live ')
    expect(second.overrides.response.status).toBe(201)
    expect({ ...second.overrides.request.header }).toEqual({ x: '1' })
    expect(plain.render(vars).output).toBe('live stage,')
    expect([...context.keys()]).toEqual(['stage'])
  })
})
