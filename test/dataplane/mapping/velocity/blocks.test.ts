import { describe, expect, it } from 'vitest'
import {
  compileTemplate,
  fromPlain,
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
