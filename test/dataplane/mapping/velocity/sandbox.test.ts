import { describe, expect, it } from 'vitest'
import {
  compileTemplate,
  TemplateBudgetError,
  TemplateError,
} from '../../../../src/dataplane/mapping/velocity/index.js'

const ESCAPE =
  "#set($s='x')#set($g=$s.__lookupGetter__('__proto__'))#set($S=$g.call($s).constructor)#set($F=$g.call($S).constructor)#set($p=$F.call(null,'return process').call())$p"

function render(template: string, body = '{}'): string {
  return compileTemplate(template).render({
    input: { body, path: { id: '1' }, querystring: { q: 'x' }, header: { h: 'v' } },
    context: { requestId: 'r', stage: 'dev' },
    stageVariables: { v: 's' },
  }).output
}

const prototypeKeys = (): string[] => Object.getOwnPropertyNames(Object.prototype).sort()
const baseline = prototypeKeys()

/** Each payload either renders inert (no secret leaks, no code runs) or fails with a typed error. */
const INERT_PAYLOADS: [string, string, string?][] = [
  ['the velocityjs escape through template text', ESCAPE],
  ['constructor of a string', "#set($s = 'x')$s.constructor"],
  ['constructor call chain', "#set($s = 'x')$s.constructor.constructor('return process')()"],
  ['__proto__ of a string', "#set($s = 'x')$s.__proto__"],
  ['__lookupGetter__ on a map', '#set($m = {})$m.__lookupGetter__("__proto__")'],
  ['__defineGetter__ on a map', '#set($m = {})$m.__defineGetter__("x", $m)'],
  ['valueOf and toString.call', "#set($s = 'x')$s.valueOf() $s.toString.call($s)"],
  ['prototype of a list', '#set($l = [])$l.prototype $l.constructor'],
  ['constructor of a number', '#set($n = 1)$n.constructor'],
  ['process via $input', '$input.constructor $input.__proto__ $input.process'],
  ['process via $util', '$util.constructor $util.require("fs")'],
  ['globalThis and require as references', '$globalThis $require $process $Function'],
  ['context prototype chain', '$context.constructor $context.__proto__.polluted'],
  ['stage variables prototype', '$stageVariables.constructor $stageVariables.hasOwnProperty("v")'],
  ['#evaluate is not available', '#evaluate("#set($x = 1)")'],
  ['request data that looks like a template is not evaluated', '$input.body', '#set($p = "pwned")$p'],
  [
    'request data carrying the escape is not evaluated',
    '$input.path("$.t")',
    `{"t": ${JSON.stringify(ESCAPE)}}`,
  ],
]

describe('template sandbox', () => {
  for (const [name, template, body] of INERT_PAYLOADS) {
    it(`renders inert: ${name}`, () => {
      let output = ''
      try {
        output = render(template, body)
      } catch (error) {
        expect(error).toBeInstanceOf(TemplateError)
      }
      expect(output).not.toMatch(/\[object|function|process \{|pwned(?!")|ChildProcess|native code/)
      expect(prototypeKeys()).toEqual(baseline)
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    })
  }

  it('keeps request data inert even when it spells VTL', () => {
    expect(render('$input.body', '#set($p = "pwned")$p')).toBe('#set($p = "pwned")$p')
    expect(render("$input.path('$.t')", `{"t": ${JSON.stringify(ESCAPE)}}`)).toBe(ESCAPE)
  })

  it("keeps variables named like Object's members, or __proto__, ordinary variables", () => {
    // Names are replaced by their internalized strings when a template is parsed (velocity/index.ts,
    // internNames); a name must stay a name, whatever it spells.
    expect(
      render(
        '#set($__proto__ = "p")#set($constructor = "c")#foreach($toString in ["t"])$toString#end$__proto__$constructor',
      ),
    ).toBe('tpc')
    expect(
      render(
        '#set($m = {})#set($x = $m.put("__proto__", "a"))#set($x = $m.put("constructor", "b"))$m.__proto__$m.constructor',
      ),
    ).toBe('ab')
    expect(prototypeKeys()).toEqual(baseline)
  })

  it('cannot pollute prototypes through #set on special keys', () => {
    render('#set($m = {})#set($m.__proto__ = "x")#set($m.constructor = "y")$m.get("__proto__")')
    render('#set($context.__proto__.polluted = "yes")#set($input.__proto__.polluted = "yes")')
    expect(prototypeKeys()).toEqual(baseline)
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })

  it("finds parameters named like Object's members by their own keys only", () => {
    // The path parameters are a plain object: `constructor` there was Object's function, which
    // hid the query string's value (rendered as nothing).
    const out = compileTemplate(
      "[$input.params('constructor')][$input.params('toString')][$input.params('hasOwnProperty')][$input.params('id')]",
    ).render({
      input: {
        body: '{}',
        path: { id: '1' },
        querystring: JSON.parse('{"constructor": "c", "toString": "t"}') as Record<string, string>,
        header: JSON.parse('{"hasOwnProperty": "h"}') as Record<string, string>,
      },
      context: {},
      stageVariables: {},
    }).output
    expect(out).toBe('[c][t][h][1]')
  })

  it('keeps __proto__ keys of JSON bodies as plain data', () => {
    const body = '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}'
    expect(render("$input.path('$.__proto__').polluted", body)).toBe('yes')
    expect(
      render(
        "#set($m = $util.parseJson($input.body))#set($x = $m.put('__proto__', 'z'))$m.get('__proto__')",
        body,
      ),
    ).toBe('z')
    expect(render("$input.json('$')", body)).toBe(
      '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}',
    )
    expect(prototypeKeys()).toEqual(baseline)
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })

  const BUDGET_PAYLOADS: [string, string, string?][] = [
    ['a foreach over more than 1,000 items', '#foreach($i in [1..1001])x#end'],
    [
      'nested loops',
      '#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])x#end#end#end',
    ],
    ['a recursive macro', '#macro(r $n)#r($n)#end#r(1)'],
    ['mutually recursive macros', '#macro(a)#b()#end#macro(b)#a()#end#a()'],
    [
      'an output bomb',
      '#set($s = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")#foreach($a in [1..1000])#foreach($b in [1..1000])$s#end#end',
    ],
    ['string doubling', '#set($s = "xx")#foreach($i in [1..60])#set($s = "$s$s")#end$s.length()'],
    ['a huge range', '#foreach($i in [1..100000000])#end'],
    [
      'a foreach over a request list of 5,000 items',
      "#foreach($i in $input.path('$'))$i#end",
      JSON.stringify(Array.from({ length: 5000 }, (_, i) => i)),
    ],
  ]
  for (const [name, template, body] of BUDGET_PAYLOADS) {
    it(`stops cleanly: ${name}`, () => {
      expect(() => render(template, body)).toThrow(TemplateBudgetError)
      // And the engine still renders the next template.
      expect(render('#set($x = 1)$x')).toBe('1')
    })
  }

  it('reports a template that does not parse as a TemplateError', () => {
    expect(() => compileTemplate('#if(')).toThrow(TemplateError)
  })
})
