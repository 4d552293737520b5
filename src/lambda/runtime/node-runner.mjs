// The Node.js runtime inside one Lambda execution environment (a child process of the gateway).
// It loads the handler once (init code runs once per environment), then runs one invocation at a
// time as the parent asks over IPC. Plain JavaScript so it starts without a TypeScript loader.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const taskRoot = process.env.LAMBDA_TASK_ROOT ?? process.cwd()
const handlerSpec = process.env._HANDLER ?? 'index.handler'

function errorShape(error) {
  if (error instanceof Error) {
    return {
      errorType: error.name || 'Error',
      errorMessage: error.message,
      trace: typeof error.stack === 'string' ? error.stack.split('\n') : [],
    }
  }
  return { errorType: 'string', errorMessage: String(error), trace: [] }
}

async function loadHandler() {
  const dot = handlerSpec.lastIndexOf('.')
  const modulePath = handlerSpec.slice(0, dot)
  const exportName = handlerSpec.slice(dot + 1)
  const base = resolve(taskRoot, modulePath)
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((candidate) => existsSync(candidate))
  if (!file) {
    const error = new Error(`Cannot find module '${modulePath}'`)
    error.name = 'Runtime.ImportModuleError'
    throw error
  }
  const mod = await import(pathToFileURL(file).href)
  const handler = mod[exportName] ?? mod.default?.[exportName]
  if (typeof handler !== 'function') {
    const error = new Error(`${modulePath}.${exportName} is undefined or not exported`)
    error.name = 'Runtime.HandlerNotFound'
    throw error
  }
  return handler
}

// _X_AMZN_TRACE_ID changes with every invocation. Written to the real environment, each new value
// is a setenv(3), and glibc's setenv never frees a value it replaced (a caller may still hold it):
// ~190 bytes per invocation, ~10 MB a minute for a warm environment under load, until the
// MemorySize watch killed it as out of memory. process.env becomes a Proxy over the real
// environment that keeps this one variable in JavaScript; every other variable (TZ, which Node
// applies when it is set, included) is still read and written through the real environment, and
// child processes the handler spawns get the trace id with the rest (they copy process.env).
const TRACE_ID = '_X_AMZN_TRACE_ID'
const realEnv = process.env
let traceId = realEnv[TRACE_ID]
delete realEnv[TRACE_ID]
process.env = new Proxy(realEnv, {
  get: (target, key) => (key === TRACE_ID ? traceId : Reflect.get(target, key)),
  set(target, key, value) {
    if (key !== TRACE_ID) return Reflect.set(target, key, value)
    traceId = String(value)
    return true
  },
  has: (target, key) => (key === TRACE_ID ? traceId !== undefined : Reflect.has(target, key)),
  deleteProperty(target, key) {
    if (key !== TRACE_ID) return Reflect.deleteProperty(target, key)
    traceId = undefined
    return true
  },
  ownKeys: (target) => [...Reflect.ownKeys(target), ...(traceId === undefined ? [] : [TRACE_ID])],
  getOwnPropertyDescriptor(target, key) {
    if (key !== TRACE_ID) return Reflect.getOwnPropertyDescriptor(target, key)
    return traceId === undefined
      ? undefined
      : { value: traceId, writable: true, enumerable: true, configurable: true }
  },
  defineProperty(target, key, descriptor) {
    if (key !== TRACE_ID) return Reflect.defineProperty(target, key, descriptor)
    traceId = String(descriptor.value)
    return true
  },
})

let handlerPromise = loadHandler()
handlerPromise.catch(() => undefined)

function runHandler(handler, event, context) {
  return new Promise((resolvePromise, reject) => {
    let settled = false
    const callback = (error, result) => {
      if (settled) return
      settled = true
      if (error !== undefined && error !== null) reject(error)
      else resolvePromise(result)
    }
    context.done = callback
    context.succeed = (result) => callback(null, result)
    context.fail = (error) => callback(error ?? new Error('handled'))
    try {
      const returned = handler(event, context, callback)
      if (returned && typeof returned.then === 'function')
        returned.then(
          (r) => callback(null, r),
          (e) => callback(e ?? new Error('rejected')),
        )
      else if (handler.length < 3) callback(null, returned)
    } catch (error) {
      callback(error)
    }
  })
}

// Where each invocation's output begins and ends in stdout and stderr (see invocation-output.ts,
// which reads them): a start mark before an invocation's first write to a stream, an end mark
// after its last, on that stream only. Console methods write through `stream.write`.
const START_MARK = '\0TGS'
const END_MARK = '\0TGE\0'
let current
function markSections(stream) {
  const write = stream.write.bind(stream)
  let open
  stream.write = (chunk, ...rest) => {
    // Every invocation's section is closed when it ends (below): none is open here.
    if (current !== undefined && open !== current) {
      open = current
      write(`${START_MARK}${current}\0`)
    }
    return write(chunk, ...rest)
  }
  // Closes the invocation's section if it wrote here; whether it did.
  return (id) => {
    if (open !== id) return false
    write(END_MARK)
    open = undefined
    return true
  }
}
const endStdout = markSections(process.stdout)
const endStderr = markSections(process.stderr)

// A proxy event's multi-value maps that only repeated their single-value twins come as 0, named
// with the twin in `rebuild` ([multi, single] pairs; compactEvent in environment.ts): put back here.
function rebuildMultiValues(event, twins) {
  for (const [name, singleName] of twins) {
    const single = event[singleName]
    const multi = {}
    for (const key of Object.keys(single)) {
      // An own `__proto__` key stays a key (assigning it would set the prototype).
      if (key === '__proto__')
        Object.defineProperty(multi, key, {
          value: [single[key]],
          enumerable: true,
          writable: true,
          configurable: true,
        })
      else multi[key] = [single[key]]
    }
    event[name] = multi
  }
}

async function invoke(message) {
  const { id, event, context: fields, timeoutMs } = message
  if (message.rebuild) rebuildMultiValues(event, message.rebuild)
  const deadline = Date.now() + timeoutMs
  const startedAt = performance.now()
  current = id
  const _traceId = fields._traceId
  // As the Lambda runtime sets it for each invocation (AWS docs "configuration-envvars").
  if (_traceId) process.env[TRACE_ID] = _traceId
  // Copied key by key: an object rest (`{ _traceId, ...rest }`) spread into a literal cost ~16 µs
  // of an invocation's ~55 µs in this process (a 4 KB event over IPC, 2026-12-06).
  const context = {}
  for (const key in fields) if (key !== '_traceId') context[key] = fields[key]
  context.callbackWaitsForEmptyEventLoop = true
  context.getRemainingTimeInMillis = () => Math.max(0, deadline - Date.now())
  let reply
  try {
    const handler = await handlerPromise
    const result = await runHandler(handler, event, context)
    try {
      reply = { type: 'result', id, payload: result === undefined ? 'null' : JSON.stringify(result) }
    } catch (error) {
      reply = { type: 'error', id, error: errorShape(error) }
    }
  } catch (error) {
    reply = { type: 'error', id, error: errorShape(error) }
  }
  reply.durationMs = performance.now() - startedAt
  current = undefined
  // Which streams' end marks the gateway waits for before it takes this invocation's output.
  reply.ends = (endStdout(id) ? 1 : 0) | (endStderr(id) ? 2 : 0)
  reply.maxMemoryMb = maxMemoryMb()
  return reply
}

// Invocations run one at a time, in the order they came. The gateway may send the next one while
// one runs (ExecutionEnvironment), so that this process goes on to it without waiting for a round
// trip; it may take a queued one back ('cancel') until it starts. The next one starts only once
// the previous result is written to the channel: an environment that ends without a result for
// one invocation never started the one after it, and the gateway sends that one elsewhere.
const queue = []
let running = false

async function drain() {
  running = true
  while (queue.length > 0) {
    const reply = await invoke(queue.shift())
    await new Promise((resolve) => process.send(reply, resolve))
    // A turn before the next one starts: a 'cancel' already sent for it is read first, and what
    // the last handler left to run after returning (a setImmediate, a logger's flush) runs before
    // it, as on Lambda while the runtime posts the result, its output still outside the next
    // one's log. Skipping it was tried, and dropped for that (docs/performance.md).
    if (queue.length > 0) await new Promise((resolve) => setImmediate(resolve))
  }
  running = false
}

// The gateway writes the messages of one turn of its event loop together, as a 'batch'.
process.on('message', receive)

function receive(message) {
  if (message?.type === 'batch') {
    for (const one of message.messages) receive(one)
  } else if (message?.type === 'invoke') {
    queue.push(message)
    if (!running) void drain()
  } else if (message?.type === 'cancel') {
    const at = queue.findIndex((queued) => queued.id === message.id)
    if (at === -1) return
    queue.splice(at, 1)
    process.send({ type: 'cancelled', id: message.id })
  }
}

// The REPORT line's "Max Memory Used": the process's peak resident set (maxRSS is in kilobytes).
function maxMemoryMb() {
  return Math.ceil(process.resourceUsage().maxRSS / 1024)
}

process.on('uncaughtException', (error) => {
  process.send?.({ type: 'crash', error: errorShape(error) })
  process.exit(129)
})
process.on('unhandledRejection', (error) => {
  process.send?.({ type: 'crash', error: errorShape(error) })
  process.exit(128)
})

// Tell the parent the environment is ready (the handler module is loaded or failed to load).
handlerPromise.then(
  () => process.send({ type: 'ready' }),
  (error) => process.send({ type: 'init-error', error: errorShape(error) }),
)
