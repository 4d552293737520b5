/**
 * The text functions behind `$util` (AWS "`$util` variables" in the mapping template reference),
 * with the Java behaviour AWS's implementation has.
 */
import { TemplateError } from './errors.js'

const hex = (code: number, width: number): string => code.toString(16).toUpperCase().padStart(width, '0')

/**
 * `$util.escapeJavaScript`: Apache Commons Lang `StringEscapeUtils.escapeJavaScript`. AWS: "This
 * function will turn any regular single quotes (') into escaped ones (\')". Escapes `'` `"` `\` `/`,
 * `\b \n \t \f \r`, other control characters and every character above U+007F as `\uXXXX`
 * (upper-case hex, one escape per UTF-16 unit).
 */
export function escapeJavaScript(text: string): string {
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    const ch = text[i] ?? ''
    if (code > 0x7f) out += `\\u${hex(code, 4)}`
    else if (code < 0x20) {
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
        default:
          out += `\\u${hex(code, 4)}`
      }
    } else if (ch === "'" || ch === '"' || ch === '\\' || ch === '/') out += `\\${ch}`
    else out += ch
  }
  return out
}

/** UTF-8 bytes as Java's `String.getBytes(UTF_8)` makes them: a lone surrogate becomes `?`. */
export function utf8Bytes(text: string): Uint8Array {
  return new TextEncoder().encode(
    text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '?'),
  )
}

const URL_SAFE = /[A-Za-z0-9.\-*_]/

/**
 * `$util.urlEncode`: Java `URLEncoder.encode(s, "UTF-8")` ("application/x-www-form-urlencoded"):
 * letters, digits and `.-*_` stay, a space becomes `+`, everything else is `%XX` of its UTF-8
 * bytes (so `~` becomes `%7E`).
 */
export function urlEncode(text: string): string {
  let out = ''
  for (const char of text) {
    if (URL_SAFE.test(char)) out += char
    else if (char === ' ') out += '+'
    else for (const byte of utf8Bytes(char)) out += `%${hex(byte, 2)}`
  }
  return out
}

/**
 * `$util.urlDecode`: Java `URLDecoder.decode(s, "UTF-8")`: `+` is a space, runs of `%XX` are UTF-8
 * bytes; a malformed escape is an `IllegalArgumentException`, which ends the render.
 */
export function urlDecode(text: string): string {
  let out = ''
  for (let i = 0; i < text.length;) {
    const ch = text[i] ?? ''
    if (ch === '+') {
      out += ' '
      i++
    } else if (ch === '%') {
      const bytes: number[] = []
      while (text[i] === '%') {
        const pair = text.slice(i + 1, i + 3)
        if (!/^[0-9a-fA-F]{2}$/.test(pair)) {
          throw new TemplateError(
            'runtime',
            `java.lang.IllegalArgumentException: URLDecoder: Illegal hex characters in escape (%) pattern`,
          )
        }
        bytes.push(parseInt(pair, 16))
        i += 3
      }
      out += new TextDecoder().decode(new Uint8Array(bytes))
    } else {
      out += ch
      i++
    }
  }
  return out
}

/** `$util.base64Encode`: standard Base64 (with padding) of the UTF-8 bytes. */
export function base64Encode(text: string): string {
  return Buffer.from(utf8Bytes(text)).toString('base64')
}

/**
 * `$util.base64Decode`: Java's basic `Base64.getDecoder()`: only the standard alphabet, padding
 * optional; anything else is an `IllegalArgumentException`. The bytes are read as UTF-8.
 */
export function base64Decode(text: string): string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.replace(/=+$/, '').length % 4 === 1) {
    throw new TemplateError(
      'runtime',
      'java.lang.IllegalArgumentException: Illegal base64 character or length',
    )
  }
  if (/=/.test(text) && text.length % 4 !== 0) {
    throw new TemplateError(
      'runtime',
      'java.lang.IllegalArgumentException: Input byte array has incorrect ending',
    )
  }
  return new TextDecoder().decode(Buffer.from(text, 'base64'))
}
