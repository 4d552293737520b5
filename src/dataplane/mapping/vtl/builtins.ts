/**
 * The host objects a template sees: `$input`, `$util`, `$foreach` and `#define` blocks. Each
 * member is one `case`; nothing else of the object is reachable.
 * Source: AWS "API Gateway mapping template and access logging variable reference"
 * (`$input` variables, `$util` variables).
 */
import { cloneValue, parseJsonValue } from './json.js'
import { jsonText } from './java-text.js'
import { parseJsonPath, selectJsonPath } from './jsonpath.js'
import { base64Decode, base64Encode, escapeJavaScript, urlDecode, urlEncode } from './util-functions.js'
import { HostObject, mapOf, VtlMap, type Runtime, type TemplateValue } from './values.js'

/** The method request (or integration response) a template reads through `$input`. */
export interface InputData {
  /** The raw payload. */
  readonly body: string
  readonly path: Readonly<Record<string, string>>
  readonly querystring: Readonly<Record<string, string>>
  readonly header: Readonly<Record<string, string>>
}

function stringMap(record: Readonly<Record<string, string>>): VtlMap {
  return mapOf(Object.entries(record))
}

/** `$input`: `body`, `json(x)`, `path(x)`, `params()`, `params(x)`. */
export class InputHost extends HostObject {
  #document: { value: TemplateValue } | undefined
  #params: VtlMap | undefined

  constructor(
    readonly data: InputData,
    readonly outputLimit: number,
  ) {
    super()
  }

  /** The body as JSON, parsed once per render; an empty body is no document (null). */
  #parsed(rt: Runtime): TemplateValue {
    if (this.#document === undefined) {
      rt.chargeChars(this.data.body.length)
      const value = this.data.body.trim() === '' ? null : parseJsonValue(this.data.body, 'body')
      this.#document = { value }
    }
    return this.#document.value
  }

  #select(pathText: string, rt: Runtime): TemplateValue | undefined {
    const path = parseJsonPath(pathText)
    const document = this.#parsed(rt)
    if (document === null) return undefined
    return selectJsonPath(document, path, (steps) => rt.charge(steps))
  }

  property(name: string): TemplateValue | undefined {
    return name === 'body' ? this.data.body : undefined
  }

  invoke(name: string, args: readonly TemplateValue[], rt: Runtime): TemplateValue | undefined {
    const [arg] = args
    switch (name) {
      case 'json':
      case 'path': {
        if (args.length !== 1 || typeof arg !== 'string')
          return args.length === 1 && arg === null ? null : undefined
        const selected = this.#select(arg, rt)
        if (selected === undefined) return null
        // `path` answers an object the template can use (a copy: changing it leaves the body alone);
        // `json` answers JSON text.
        return name === 'path'
          ? cloneValue(selected, (steps) => rt.charge(steps))
          : jsonText(selected, rt, this.outputLimit)
      }
      case 'params':
        if (args.length === 0) return this.#allParams()
        if (args.length !== 1 || typeof arg !== 'string') return undefined
        return this.#param(arg)
      case 'getBody':
        return args.length === 0 ? this.data.body : undefined
      default:
        return undefined
    }
  }

  #allParams(): VtlMap {
    this.#params ??= mapOf([
      ['path', stringMap(this.data.path)],
      ['querystring', stringMap(this.data.querystring)],
      ['header', stringMap(this.data.header)],
    ])
    return this.#params
  }

  /**
   * `$input.params(x)`: "the value of a method request parameter from the path, query string, or
   * header value (searched in that order)"; an absent parameter is the empty string. Header names
   * match case-insensitively, as HTTP header names do.
   */
  #param(name: string): string {
    const { path, querystring, header } = this.data
    if (Object.hasOwn(path, name)) return path[name] ?? ''
    if (Object.hasOwn(querystring, name)) return querystring[name] ?? ''
    if (Object.hasOwn(header, name)) return header[name] ?? ''
    const lower = name.toLowerCase()
    for (const [key, value] of Object.entries(header)) if (key.toLowerCase() === lower) return value
    return ''
  }

  toJavaString(): string {
    return ''
  }
}

/** `$util`: `escapeJavaScript`, `parseJson`, `urlEncode`, `urlDecode`, `base64Encode`, `base64Decode`. */
export class UtilHost extends HostObject {
  property(): undefined {
    return undefined
  }

  invoke(name: string, args: readonly TemplateValue[], rt: Runtime): TemplateValue | undefined {
    if (args.length !== 1) return undefined
    const [arg = null] = args
    if (arg === null) return null
    // AWS's functions take a String; a non-string argument is used as its Java text.
    const text = typeof arg === 'string' ? arg : rt.stringify(arg)
    switch (name) {
      case 'escapeJavaScript':
        rt.chargeChars(text.length)
        return rt.checkString(escapeJavaScript(text))
      case 'parseJson':
        rt.chargeChars(text.length)
        return parseJsonValue(text, 'runtime')
      case 'urlEncode':
        rt.chargeChars(text.length)
        return rt.checkString(urlEncode(text))
      case 'urlDecode':
        rt.chargeChars(text.length)
        return urlDecode(text)
      case 'base64Encode':
        rt.chargeChars(text.length)
        return rt.checkString(base64Encode(text))
      case 'base64Decode':
        rt.chargeChars(text.length)
        return base64Decode(text)
      default:
        return undefined
    }
  }

  toJavaString(): string {
    return ''
  }
}

/** `$foreach` inside a `#foreach` (Velocity 1.7's `ForeachScope`). */
export class ForeachScope extends HostObject {
  index = 0
  hasNext = false

  constructor(readonly parent: ForeachScope | null) {
    super()
  }

  property(name: string): TemplateValue | undefined {
    switch (name) {
      case 'index':
        return BigInt(this.index)
      case 'count':
        return BigInt(this.index + 1)
      case 'hasNext':
        return this.hasNext
      case 'first':
        return this.index === 0
      case 'last':
        return !this.hasNext
      case 'parent':
        return this.parent
      case 'topmost':
        return this.parent ? this.parent.property('topmost') : this
      default:
        return undefined
    }
  }

  invoke(name: string, args: readonly TemplateValue[]): TemplateValue | undefined {
    if (args.length !== 0) return undefined
    const property = /^(?:get|is)([A-Z]\w*)$/.exec(name)
    const key = property ? (property[1] ?? '').charAt(0).toLowerCase() + (property[1] ?? '').slice(1) : name
    return key === 'hasNext' || property ? this.property(key) : undefined
  }

  toJavaString(): string {
    return ''
  }
}

/** A `#define($name)` block: rendered when referenced, with the variables of that moment. */
export class DefineBlock extends HostObject {
  constructor(readonly renderBody: () => string) {
    super()
  }

  property(): undefined {
    return undefined
  }

  invoke(name: string, args: readonly TemplateValue[]): TemplateValue | undefined {
    return name === 'toString' && args.length === 0 ? this.renderBody() : undefined
  }

  toJavaString(): string {
    return this.renderBody()
  }
}
