import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The console's files: plain ES modules and CSS, served as they are (no build step). */
export const CONSOLE_ROOT = fileURLToPath(new URL('../../console/', import.meta.url))

/** Where the console answers; `/_tollgate/console` itself redirects to the folder form. */
export const CONSOLE_PATH = '/_tollgate/console'

/** Only these kinds of file are served; anything else under the folder (notes, dotfiles) is a 404. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
}

/**
 * Everything the console loads comes from this origin (no CDN): scripts and styles from the
 * console folder, data from the management, Lambda and metrics endpoints of the same listener.
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
}

/** Whether `pathname` belongs to the console (the caller serves it with `serveConsole`). */
export function isConsolePath(pathname: string): boolean {
  return pathname === CONSOLE_PATH || pathname.startsWith(`${CONSOLE_PATH}/`)
}

/**
 * The file a console URL names, or undefined when it names none the console may serve. The path
 * is decoded once, and any segment that is empty, `.`, `..`, or holds a separator or NUL after
 * decoding is refused before it is joined to the folder; the joined path must still lie inside it.
 */
export function consoleFile(root: string, pathname: string): string | undefined {
  const rest = pathname.slice(CONSOLE_PATH.length + 1)
  const relative = rest === '' ? 'index.html' : rest
  const segments: string[] = []
  for (const raw of relative.split('/')) {
    let segment: string
    try {
      segment = decodeURIComponent(raw)
    } catch {
      return undefined
    }
    if (segment === '' || segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) return undefined
    if (segment.startsWith('.')) return undefined
    segments.push(segment)
  }
  if (!(extname(relative) in CONTENT_TYPES)) return undefined
  const base = resolve(root)
  const file = resolve(base, ...segments)
  return file.startsWith(base + sep) ? file : undefined
}

/**
 * Serves `/_tollgate/console` (a redirect to `/_tollgate/console/`) and the files under it: GET
 * and HEAD only, with their content type, an ETag and `Cache-Control: no-cache`, so a browser
 * revalidates each file (a 304 when unchanged) and an upgraded gateway never serves a stale mix.
 */
export async function serveConsole(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  root: string = CONSOLE_ROOT,
): Promise<void> {
  req.resume()
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' })
    res.end('Method Not Allowed\n')
    return
  }
  if (pathname === CONSOLE_PATH) {
    res.writeHead(301, { location: `${CONSOLE_PATH}/`, 'cache-control': 'no-cache' })
    res.end()
    return
  }
  const file = consoleFile(root, pathname)
  let content: Buffer | undefined
  if (file) content = await readFile(file).catch(() => undefined)
  if (!file || !content) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' })
    res.end('Not Found\n')
    return
  }
  const etag = `"${createHash('sha1').update(content).digest('base64url')}"`
  const headers = {
    ...SECURITY_HEADERS,
    'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': 'no-cache',
    etag,
  }
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers)
    res.end()
    return
  }
  res.writeHead(200, { ...headers, 'content-length': content.length })
  res.end(req.method === 'HEAD' ? undefined : content)
}
