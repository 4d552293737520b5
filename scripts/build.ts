// `npm run build`, after `tsc -p tsconfig.build.json` has emitted dist/: copies the files that
// are not TypeScript (function runners, the console, ...) beside the JavaScript, then bundles the
// whole gateway into one CommonJS file, dist/bundle.cjs, that dist/tollgate.cjs starts with V8's
// code cache (scripts/launcher.cjs). One file instead of ~400 modules: Node 20's ESM loader spent
// ~0.5 s resolving, reading and linking them at start-up (docs/performance.md).
import { build, type Plugin } from 'esbuild'
import { cpSync, readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const src = join(root, 'src')
const dist = join(root, 'dist')

cpSync(src, dist, { recursive: true, filter: (file) => !file.endsWith('.ts') })
cpSync(join(root, 'scripts', 'launcher.cjs'), join(dist, 'tollgate.cjs'))

/**
 * `import.meta.url` does not exist in CommonJS, and the bundle lives elsewhere than each module
 * did: a module's URL becomes that of its compiled twin in dist/, so `new URL('./node-runner.mjs',
 * import.meta.url)` still finds the file copied there.
 */
const moduleUrls: Plugin = {
  name: 'module-urls',
  setup(esbuild) {
    esbuild.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8')
      if (!args.path.startsWith(src) || !text.includes('import.meta.url')) return undefined
      const twin = relative(dist, join(dist, relative(src, args.path)).replace(/\.ts$/, '.js'))
      const url = `require('node:url').pathToFileURL(require('node:path').join(__dirname, ${JSON.stringify(twin)})).href`
      return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' }
    })
  },
}

await build({
  entryPoints: [join(src, 'cli', 'main.ts')],
  outfile: join(dist, 'bundle.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Kept out: a native addon, and what only some deployments load (PostgreSQL, Redis, X.509,
  // loaded lazily). pino is bundled: loading it from node_modules took ~25 ms of each start, outside
  // the code cache (docs/performance.md). Its transports would start a worker thread from
  // thread-stream's own file, which the bundle does not carry: the gateway logs to stdout and
  // files only and never calls pino.transport() (test/cli/build.test.ts checks the bundle logs).
  external: ['better-sqlite3', 'pg', 'ioredis', '@peculiar/x509', 'pino-pretty'],
  minifyWhitespace: true,
  legalComments: 'none',
  sourcemap: 'linked',
  plugins: [moduleUrls],
  logLevel: 'warning',
})

// dist/tollgate.cjs decodes the bundle as Latin-1, faster than UTF-8 (docs/performance.md), which
// reads it right only while every byte is ASCII: esbuild's default charset escapes any other
// character of the sources as \uXXXX, and this keeps it so.
const bundleBytes = readFileSync(join(dist, 'bundle.cjs'))
const nonAscii = bundleBytes.findIndex((byte) => byte > 0x7f)
if (nonAscii !== -1) throw new Error(`dist/bundle.cjs has a non-ASCII byte at offset ${nonAscii}`)
