/**
 * bench/templates: renders per second of two typical mapping templates with the VTL engine —
 * the AWS PetStore request template and a #foreach response template over 50 items.
 *
 *   npx tsx bench/templates.ts [--seconds 3]
 */
import { parseArgs } from 'node:util'
import { compileTemplate } from '../src/dataplane/mapping/velocity/index.js'

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '3' } } })
const seconds = Number(values.seconds)

const REQUEST_TEMPLATE = `#set($inputRoot = $input.path('$'))
{
  "type" : "$inputRoot.type",
  "price" : $inputRoot.price,
  "id": "$input.params('id')",
  "note": "$util.escapeJavaScript($inputRoot.note)"
}`
const RESPONSE_TEMPLATE = `#set($inputRoot = $input.path('$'))
[
#foreach($elem in $inputRoot)
  {
    "description" : "Item $elem.id is a $elem.type.",
    "askingPrice" : $elem.price
  }#if($foreach.hasNext),#end

#end
]`

const context = { requestId: 'r', stage: 'bench', identity: { sourceIp: '127.0.0.1' } }
const cases = [
  {
    name: 'PetStore request template',
    template: REQUEST_TEMPLATE,
    body: JSON.stringify({ type: 'dog', price: 249.99, note: 'it\'s a "good" dog' }),
  },
  {
    name: '#foreach response template, 50 items',
    template: RESPONSE_TEMPLATE,
    body: JSON.stringify(
      Array.from({ length: 50 }, (_, i) => ({ id: i, type: i % 2 ? 'cat' : 'dog', price: 10 + i / 4 })),
    ),
  },
]

const rows: string[] = []
for (const c of cases) {
  const compiled = compileTemplate(c.template)
  const variables = {
    input: { body: c.body, path: { id: '7' }, querystring: {}, header: {} },
    context,
    stageVariables: {},
  }
  for (let i = 0; i < 2000; i++) compiled.render(variables) // warm-up
  let renders = 0
  const start = process.hrtime.bigint()
  const end = start + BigInt(seconds * 1e9)
  let now = start
  while (now < end) {
    for (let i = 0; i < 200; i++) compiled.render(variables)
    renders += 200
    now = process.hrtime.bigint()
  }
  const elapsed = Number(now - start) / 1e9
  rows.push(
    `| ${c.name} | ${Math.round(renders / elapsed).toLocaleString('en-US')} | ${((elapsed / renders) * 1e6).toFixed(1)} |`,
  )
}
process.stdout.write(
  ['| template | renders/s (one core) | µs per render |', '| --- | ---: | ---: |', ...rows].join('\n') + '\n',
)
