import { selectJsonPath } from './jsonpath.js'
import { ownValue } from '../../../model/own-keys.js'
import {
  fromPlain,
  javaString,
  parseJsonValue,
  toJson,
  type HostObject,
  type TemplateValue,
} from './values.js'

/** The request data a template reads through `$input`. */
export interface InputData {
  /** The raw body text. */
  readonly body: string
  readonly path: Readonly<Record<string, string>>
  readonly querystring: Readonly<Record<string, string>>
  readonly header: Readonly<Record<string, string>>
  /**
   * `$input.params()` already converted, shared by the renders of one request: only a template
   * that changes no value uses it (see `compileTemplate`), any other converts its own copy.
   */
  readonly sharedParams?: () => Map<string, TemplateValue>
}

/**
 * `$input` (AWS docs "api-gateway-mapping-template-reference", $input variables): `body`,
 * `json(path)`, `path(path)`, `params()`, `params(name)` (path, then query string, then header).
 */
export function inputObject(data: InputData, mayShare = false): HostObject {
  let parsed: TemplateValue | undefined
  const document = (): TemplateValue => {
    if (parsed !== undefined) return parsed
    const text = data.body.trim()
    try {
      // An empty body reads as an empty object, as AWS's examples show for $input.json('$').
      parsed = text === '' ? new Map() : parseJsonValue(text)
    } catch {
      // Not JSON: `$` is the body itself.
      parsed = data.body
    }
    return parsed
  }
  // One map per render, as a Java getter returns its field: the usual template loops over the
  // headers calling `$input.params().header.get($name)` for each, and converting every parameter on
  // every call cost ~4% of such a request.
  let all: Map<string, TemplateValue> | undefined
  const params = (): Map<string, TemplateValue> =>
    (all ??= mayShare && data.sharedParams ? data.sharedParams() : paramsValue(data))
  return {
    kind: 'host',
    property: (name) => (name === 'body' ? data.body : name === 'params' ? params() : undefined),
    call: (name, args) => {
      const a = args[0]
      switch (name) {
        case 'json':
          return typeof a === 'string' ? toJson(selectJsonPath(document(), a)) : undefined
        case 'path':
          return typeof a === 'string' ? selectJsonPath(document(), a) : undefined
        case 'params': {
          if (args.length === 0) return params()
          const key = javaString(a ?? null)
          // Own keys only: `constructor` in the (plain) path parameters was Object's, which hid a
          // query string parameter of that name.
          return (
            ownValue(data.path, key) ??
            ownValue(data.querystring, key) ??
            headerLookup(data.header, key) ??
            ''
          )
        }
        case 'getBody':
          return data.body
        default:
          return undefined
      }
    },
  }
}

/** `$input.params()` as template values: `path`, `querystring` and `header` maps. */
export function paramsValue(
  data: Pick<InputData, 'path' | 'querystring' | 'header'>,
): Map<string, TemplateValue> {
  return new Map<string, TemplateValue>([
    ['path', fromPlain(data.path)],
    ['querystring', fromPlain(data.querystring)],
    ['header', fromPlain(data.header)],
  ])
}

function headerLookup(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const exact = ownValue(headers, name)
  if (exact !== undefined) return exact
  // Only names of the same length can match: most are not lower-cased at all (`$input.params('id')`
  // looks through every header when no path or query parameter has the name).
  const lower = name.toLowerCase()
  for (const key in headers)
    if (key.length === lower.length && Object.hasOwn(headers, key) && key.toLowerCase() === lower)
      return headers[key]
  return undefined
}

/** `$util` (AWS docs "api-gateway-mapping-template-reference", $util variables). */
export const utilObject: HostObject = {
  kind: 'host',
  property: () => undefined,
  call: (name, args) => {
    const a = args[0]
    if (typeof a !== 'string') return undefined
    switch (name) {
      case 'escapeJavaScript':
        return escapeJavaScript(a)
      case 'parseJson':
        return parseJsonValue(a)
      case 'urlEncode':
        return urlEncode(a)
      case 'urlDecode':
        return urlDecode(a)
      case 'base64Encode':
        return Buffer.from(a, 'utf8').toString('base64')
      case 'base64Decode':
        return Buffer.from(a, 'base64').toString('utf8')
      default:
        return undefined
    }
  },
}

/** A character `escapeJavaScript` changes: outside printable ASCII and DEL, or a quote, `\\` or `/`. */
const NEEDS_ESCAPE = /[^\x20-\x7f]|["'\\/]/

/**
 * Apache Commons Lang's StringEscapeUtils.escapeJavaScript, which AWS uses: quotes, backslash
 * and `/` escaped; \b \f \n \r \t named; other control and all non-ASCII characters as upper-case
 * `\uXXXX`.
 */
export function escapeJavaScript(text: string): string {
  // Most values (header values, ids) hold nothing to escape: returned as they are, without the
  // character-by-character copy, which was the largest cost of a typical request template.
  if (!NEEDS_ESCAPE.test(text)) return text
  let out = ''
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0
    if (code > 0xffff) {
      // Java strings are UTF-16: each half of a surrogate pair is escaped.
      for (let i = 0; i < ch.length; i++)
        out += `\\u${ch.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0')}`
      continue
    }
    if (code > 0x7f) {
      out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`
      continue
    }
    switch (ch) {
      case '\b':
        out += '\\b'
        break
      case '\n':
        out += '\\n'
        break
      case '\t':
        out += '\\t'
        break
      case '\f':
        out += '\\f'
        break
      case '\r':
        out += '\\r'
        break
      case "'":
        out += "\\'"
        break
      case '"':
        out += '\\"'
        break
      case '\\':
        out += '\\\\'
        break
      case '/':
        out += '\\/'
        break
      default:
        out += code < 0x20 ? `\\u${code.toString(16).toUpperCase().padStart(4, '0')}` : ch
    }
  }
  return out
}

/** java.net.URLEncoder with UTF-8: `a-zA-Z0-9.-*_` kept, space as `+`, the rest `%XX`. */
export function urlEncode(text: string): string {
  let out = ''
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte)
    if (/[A-Za-z0-9.\-*_]/.test(ch)) out += ch
    else if (ch === ' ') out += '+'
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/** java.net.URLDecoder with UTF-8: `+` is a space, `%XX` a byte. */
export function urlDecode(text: string): string {
  const bytes: number[] = []
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string
    if (ch === '+') bytes.push(0x20)
    else if (ch === '%' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16))
      i += 2
    } else bytes.push(...Buffer.from(ch, 'utf8'))
  }
  return Buffer.from(bytes).toString('utf8')
}
