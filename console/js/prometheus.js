// A parser for the Prometheus text exposition format (version 0.0.4), enough for what
// /_tollgate/metrics serves: comments, samples with labels (escaped values), +Inf/NaN.

/** Parses `text` into samples: `{ name, labels, value }`. Unparseable lines are skipped. */
export function parsePrometheus(text) {
  const samples = []
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim()
    if (line === '' || line.startsWith('#')) continue
    const sample = parseLine(line)
    if (sample) samples.push(sample)
  }
  return samples
}

function parseLine(line) {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)
  if (!nameMatch) return undefined
  const name = nameMatch[0]
  let i = name.length
  const labels = {}
  if (line[i] === '{') {
    i++
    for (;;) {
      while (line[i] === ' ' || line[i] === ',') i++
      if (line[i] === '}') {
        i++
        break
      }
      const labelMatch = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i))
      if (!labelMatch) return undefined
      i += labelMatch[0].length
      if (line[i] !== '=' || line[i + 1] !== '"') return undefined
      i += 2
      let value = ''
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\') {
          const next = line[i + 1]
          value += next === 'n' ? '\n' : (next ?? '')
          i += 2
        } else {
          value += line[i]
          i++
        }
      }
      if (line[i] !== '"') return undefined
      i++
      labels[labelMatch[0]] = value
    }
  }
  const [valueText] = line.slice(i).trim().split(/\s+/)
  const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : Number(valueText)
  if (valueText === undefined || (Number.isNaN(value) && valueText !== 'NaN')) return undefined
  return { name, labels, value }
}

/** Sums the samples named `name` by the labels in `by` (a key joined with a tab). */
export function sumBy(samples, name, by) {
  const out = new Map()
  for (const s of samples) {
    if (s.name !== name) continue
    const key = by.map((l) => s.labels[l] ?? '').join('\t')
    out.set(key, (out.get(key) ?? 0) + s.value)
  }
  return out
}
