/**
 * Java regular expressions (`String.replaceAll`, `replaceFirst`, `split`, `matches`) on JS's engine.
 * The pattern is translated construct by construct; what JS cannot express the same way (possessive
 * quantifiers, atomic groups, class intersections, scoped flags) fails the render rather than match
 * differently. Java escapes that JS would read as a plain letter (`\h`, `\R`, `\A`, `\z`, `\Z`, `\e`)
 * are rewritten, and `$` keeps Java's meaning (end of input, or before a final line terminator).
 *
 * Guard: a repeated group that itself contains a repetition (`(a+)+`, `(\w*)*`) is refused. Such
 * patterns backtrack exponentially on hostile input, and Node has no regex timeout; Java would
 * also hang, but a gateway must not.
 */
import { TemplateError } from './errors.js'

const POSIX: Readonly<Record<string, string>> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\x00-\\x7F',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~',
  Graph: '!-~',
  Print: ' -~',
  Blank: ' \\t',
  Cntrl: '\\x00-\\x1F\\x7F',
  XDigit: '0-9a-fA-F',
  Space: ' \\t\\n\\x0B\\f\\r',
}

const LINE_BREAK = '(?:\\r\\n|[\\n\\x0B\\f\\r\\x85\\u2028\\u2029])'
const HORIZONTAL_SPACE = ' \\t\\xA0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000'
const QUANTIFIER = /^\{(\d+)(,(\d*))?\}/
const VERTICAL_SPACE = '\\n\\x0B\\f\\r\\x85\\u2028\\u2029'

function unsupported(pattern: string, why: string): never {
  throw new TemplateError('runtime', `Unsupported regular expression '${pattern}': ${why}`)
}

interface Group {
  /** The group contains an unbounded or multi-repetition quantifier. */
  repeats: boolean
}

/** Translates a Java pattern to a JS `RegExp` (global, for iteration). */
export function compileJavaRegex(pattern: string): RegExp {
  let flags = 'g'
  let i = 0
  let multiline = false
  const inline = /^\(\?([imsux]+)\)/.exec(pattern)
  if (inline) {
    const letters = inline[1] ?? ''
    if (letters.includes('x')) unsupported(pattern, 'the COMMENTS flag')
    for (const letter of letters) if ('ims'.includes(letter) && !flags.includes(letter)) flags += letter
    multiline = letters.includes('m')
    i = inline[0].length
  }
  let out = ''
  const groups: Group[] = [{ repeats: false }]
  // The group that was the last atom, when the last atom was a group (for the nesting guard).
  let lastGroup: Group | undefined
  const quantify = (atom: Group | undefined, min: number, max: number): void => {
    if (min > max) unsupported(pattern, 'a bad {min,max}')
    if (pattern[i] === '+') unsupported(pattern, 'possessive quantifiers')
    if (max <= 1) return
    if (atom?.repeats === true) unsupported(pattern, 'nested repetition (backtracking guard)')
    for (const group of groups) group.repeats = true
  }
  while (i < pattern.length) {
    const ch = pattern[i] ?? ''
    const atom = lastGroup
    lastGroup = undefined
    if (ch === '\\') {
      const [text, next] = translateEscape(pattern, i, false)
      out += text
      i = next
    } else if (ch === '[') {
      const [text, next] = translateClass(pattern, i)
      out += text
      i = next
    } else if (ch === '(') {
      if (pattern.startsWith('(?>', i)) unsupported(pattern, 'atomic groups')
      if (/^\(\?[imsux-]+[:)]/.test(pattern.slice(i))) unsupported(pattern, 'flags inside the pattern')
      groups.push({ repeats: false })
      out += ch
      i++
    } else if (ch === ')') {
      const group = groups.pop()
      const parent = groups.at(-1)
      if (!group || !parent) unsupported(pattern, "unbalanced ')'")
      if (group.repeats) parent.repeats = true
      lastGroup = group
      out += ch
      i++
    } else if (ch === '*' || ch === '+' || ch === '?') {
      out += ch
      i++
      if (pattern[i] === '?') {
        out += '?'
        i++
      }
      quantify(atom, ch === '+' ? 1 : 0, ch === '?' ? 1 : Infinity)
    } else if (ch === '{' && QUANTIFIER.test(pattern.slice(i))) {
      const match = QUANTIFIER.exec(pattern.slice(i)) ?? ['{']
      const min = Number(match[1])
      const max = match[2] === undefined ? min : match[3] === '' ? Infinity : Number(match[3])
      out += match[0]
      i += match[0].length
      if (pattern[i] === '?') {
        out += '?'
        i++
      }
      quantify(atom, min, max)
    } else if (ch === '$') {
      out += multiline ? '$' : `(?=${LINE_BREAK}?$)`
      i++
    } else {
      out += ch
      i++
    }
  }
  if (groups.length !== 1) unsupported(pattern, "unbalanced '('")
  try {
    return new RegExp(out, flags)
  } catch (error) {
    throw new TemplateError(
      'runtime',
      `Invalid regular expression '${pattern}' (java.util.regex.PatternSyntaxException)`,
      {
        cause: error,
      },
    )
  }
}

/** Translates `\x` at `i`; inside a class only class-safe text is produced. */
function translateEscape(pattern: string, i: number, inClass: boolean): [string, number] {
  const ch = pattern[i + 1]
  if (ch === undefined) unsupported(pattern, 'a trailing backslash')
  if (ch === 'Q') {
    const end = pattern.indexOf('\\E', i + 2)
    const literal = pattern.slice(i + 2, end < 0 ? pattern.length : end)
    const escaped = literal.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')
    return [escaped, end < 0 ? pattern.length : end + 2]
  }
  if (ch === 'p' || ch === 'P') {
    const match = /^\\[pP]\{(?:Is)?(\w+)\}/.exec(pattern.slice(i))
    const range = match ? POSIX[match[1] ?? ''] : undefined
    if (!match || range === undefined) unsupported(pattern, 'this \\p{...} class')
    const negate = ch === 'P'
    return [
      inClass
        ? negate
          ? unsupported(pattern, '\\P inside a class')
          : range
        : `[${negate ? '^' : ''}${range}]`,
      i + match[0].length,
    ]
  }
  if (ch === '0') {
    const match = /^\\0([0-3]?[0-7]{1,2})/.exec(pattern.slice(i))
    if (!match) unsupported(pattern, 'a bad octal escape')
    return [
      `\\x${parseInt(match[1] ?? '0', 8)
        .toString(16)
        .padStart(2, '0')}`,
      i + match[0].length,
    ]
  }
  if (ch === 'x' && pattern[i + 2] === '{') {
    const match = /^\\x\{([0-9a-fA-F]+)\}/.exec(pattern.slice(i))
    if (!match) unsupported(pattern, 'a bad \\x{...} escape')
    const char = String.fromCodePoint(parseInt(match[1] ?? '0', 16))
    return [char.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&'), i + match[0].length]
  }
  const simple: Readonly<Record<string, string>> = inClass
    ? { e: '\\x1B', a: '\\x07', h: HORIZONTAL_SPACE, v: VERTICAL_SPACE }
    : {
        e: '\\x1B',
        a: '\\x07',
        h: `[${HORIZONTAL_SPACE}]`,
        H: `[^${HORIZONTAL_SPACE}]`,
        v: `[${VERTICAL_SPACE}]`,
        V: `[^${VERTICAL_SPACE}]`,
        R: LINE_BREAK,
        A: '^',
        z: '$',
        Z: `(?=${LINE_BREAK}?$)`,
      }
  const mapped = simple[ch]
  if (mapped !== undefined) return [mapped, i + 2]
  if ('dDwWsSnrtfbB'.includes(ch) || /[1-9]/.test(ch)) {
    if (inClass && (ch === 'b' || ch === 'B')) unsupported(pattern, '\\b inside a class')
    return [`\\${ch}`, i + 2]
  }
  if (ch === 'u' || ch === 'x' || ch === 'c') return [`\\${ch}`, i + 2]
  if (ch === 'k' && pattern[i + 2] === '<') return ['\\k', i + 2]
  if (/[a-zA-Z]/.test(ch)) unsupported(pattern, `the escape \\${ch}`)
  return [`\\${ch}`, i + 2]
}

/** Translates a character class starting at `i`. */
function translateClass(pattern: string, i: number): [string, number] {
  let out = '['
  let at = i + 1
  if (pattern[at] === '^') {
    out += '^'
    at++
  }
  // A `]` first in the class is a literal in Java.
  if (pattern[at] === ']') {
    out += '\\]'
    at++
  }
  while (at < pattern.length) {
    const ch = pattern[at] ?? ''
    if (ch === ']') return [out + ']', at + 1]
    if (ch === '[') unsupported(pattern, 'nested classes (class union)')
    if (ch === '&' && pattern[at + 1] === '&') unsupported(pattern, 'class intersection')
    if (ch === '\\') {
      const [text, next] = translateEscape(pattern, at, true)
      out += text
      at = next
    } else {
      out += ch
      at++
    }
  }
  return unsupported(pattern, "unclosed '['")
}

/** Java `Matcher.appendReplacement` rules: `$n`, `${name}`, and `\` quoting the next character. */
function expandReplacement(replacement: string, match: RegExpExecArray): string {
  let out = ''
  const groupCount = match.length - 1
  for (let i = 0; i < replacement.length; i++) {
    const ch = replacement[i]
    if (ch === '\\') {
      i++
      if (i >= replacement.length) throw new TemplateError('runtime', 'character to be escaped is missing')
      out += replacement[i] ?? ''
    } else if (ch === '$') {
      i++
      if (replacement[i] === '{') {
        const end = replacement.indexOf('}', i)
        const name = end < 0 ? '' : replacement.slice(i + 1, end)
        const groups = match.groups
        if (name === '' || groups === undefined || !Object.hasOwn(groups, name)) {
          throw new TemplateError('runtime', `No group with name {${name}}`)
        }
        out += groups[name] ?? ''
        i = end
        continue
      }
      let ref = Number.parseInt(replacement[i] ?? '', 10)
      if (Number.isNaN(ref)) throw new TemplateError('runtime', 'Illegal group reference')
      while (i + 1 < replacement.length && /\d/.test(replacement[i + 1] ?? '')) {
        const next = ref * 10 + Number(replacement[i + 1])
        if (next > groupCount) break
        ref = next
        i++
      }
      if (ref > groupCount) throw new TemplateError('runtime', `No group ${ref}`)
      out += match[ref] ?? ''
    } else {
      out += ch ?? ''
    }
  }
  return out
}

/** Each match in order; an empty match moves on by one character, as Java's `Matcher.find` does. */
function* matches(regex: RegExp, text: string): Generator<RegExpExecArray> {
  regex.lastIndex = 0
  for (;;) {
    const match = regex.exec(text)
    if (!match) return
    if (match[0] === '') regex.lastIndex++
    yield match
    if (regex.lastIndex > text.length) return
  }
}

/** Java `String.replaceAll` / `replaceFirst`. */
export function javaReplace(text: string, pattern: string, replacement: string, all: boolean): string {
  const regex = compileJavaRegex(pattern)
  let out = ''
  let last = 0
  for (const match of matches(regex, text)) {
    out += text.slice(last, match.index) + expandReplacement(replacement, match)
    last = match.index + match[0].length
    if (!all) break
  }
  return out + text.slice(last)
}

/** Java `String.split(regex, limit)`, including its rules for empty leading and trailing strings. */
export function javaSplit(text: string, pattern: string, limit: number): string[] {
  const regex = compileJavaRegex(pattern)
  const parts: string[] = []
  let index = 0
  const limited = limit > 0
  for (const match of matches(regex, text)) {
    const start = match.index
    const end = start + match[0].length
    if (!limited || parts.length < limit - 1) {
      // No empty leading substring for a zero-width match at the beginning (Java 8+).
      if (index === 0 && start === 0 && end === 0) continue
      parts.push(text.slice(index, start))
      index = end
    } else break
  }
  if (index === 0 && parts.length === 0) return [text]
  parts.push(text.slice(index))
  if (limit === 0) while (parts.length > 0 && parts.at(-1) === '') parts.pop()
  return parts
}

/** Java `String.matches`: the whole text matches. */
export function javaMatches(text: string, pattern: string): boolean {
  const regex = compileJavaRegex(pattern)
  const whole = new RegExp(`^(?:${regex.source})$`, regex.flags.replace('g', ''))
  return whole.test(text)
}
