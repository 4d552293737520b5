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

process.on('message', async (message) => {
  if (message?.type !== 'invoke') return
  const { id, event, context: fields, deadline } = message
  const { _traceId, ...ctx } = fields
  // As the Lambda runtime sets it for each invocation (AWS docs "configuration-envvars").
  if (_traceId) process.env._X_AMZN_TRACE_ID = _traceId
  const context = {
    ...ctx,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  }
  try {
    const handler = await handlerPromise
    const result = await runHandler(handler, event, context)
    let payload
    try {
      payload = result === undefined ? 'null' : JSON.stringify(result)
    } catch (error) {
      process.send({ type: 'error', id, error: errorShape(error), maxMemoryMb: maxMemoryMb() })
      return
    }
    process.send({ type: 'result', id, payload, maxMemoryMb: maxMemoryMb() })
  } catch (error) {
    process.send({ type: 'error', id, error: errorShape(error), maxMemoryMb: maxMemoryMb() })
  }
})

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
