import { ApiError } from '../controlplane/api-error.js'
import type { Input } from '../controlplane/input.js'
import type { Route } from '../controlplane/router.js'
import { functionName, lambdaRoute } from './api-common.js'
import {
  lambdaTimestamp,
  SUPPORTED_RUNTIMES,
  type FunctionConfiguration,
  type FunctionRecord,
} from './model.js'

const BASE = '/2015-03-31/functions'

function readConfiguration(body: Input): Partial<FunctionConfiguration> {
  const timeout = body.integer('Timeout')
  const memory = body.integer('MemorySize')
  const runtime = body.string('Runtime')
  if (timeout !== undefined && (timeout < 1 || timeout > 900)) {
    throw new ApiError(
      'InvalidParameterValueException',
      `1 validation error detected: Value '${timeout}' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900`,
    )
  }
  if (memory !== undefined && (memory < 128 || memory > 10240)) {
    throw new ApiError(
      'InvalidParameterValueException',
      `1 validation error detected: Value '${memory}' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128`,
    )
  }
  if (runtime !== undefined && !(SUPPORTED_RUNTIMES as readonly string[]).includes(runtime)) {
    throw new ApiError(
      'InvalidParameterValueException',
      `The runtime parameter of ${runtime} is not supported by Tollgate yet (supported: ${SUPPORTED_RUNTIMES.join(', ')})`,
    )
  }
  const variables = body.object('Environment')?.stringMap('Variables')
  const handler = body.string('Handler')
  const description = body.string('Description')
  const role = body.string('Role')
  return {
    ...(timeout !== undefined ? { Timeout: timeout } : {}),
    ...(memory !== undefined ? { MemorySize: memory } : {}),
    ...(runtime !== undefined ? { Runtime: runtime } : {}),
    ...(handler !== undefined ? { Handler: handler } : {}),
    ...(description !== undefined ? { Description: description } : {}),
    ...(role !== undefined ? { Role: role } : {}),
    ...(variables !== undefined ? { Environment: { Variables: variables } } : {}),
  }
}

function requiredZip(zip: Buffer | undefined): Buffer {
  if (!zip) throw new ApiError('InvalidParameterValueException', 'Please provide a source for function code.')
  return zip
}

function zipOf(body: Input | undefined): Buffer | undefined {
  const zip = body?.string('ZipFile')
  return zip === undefined ? undefined : Buffer.from(zip, 'base64')
}

/** The AWS Lambda API (2015-03-31 paths) on the gateway's port. */
export const lambdaRoutes: Route[] = [
  {
    method: 'POST',
    path: BASE,
    handler: lambdaRoute(async (req, { store }, lambda) => {
      const name = req.body.string('FunctionName')
      if (!name || !/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
        throw new ApiError(
          'InvalidParameterValueException',
          `1 validation error detected: Value '${name ?? 'null'}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+`,
        )
      }
      const fields = readConfiguration(req.body)
      if (!fields.Runtime)
        throw new ApiError(
          'InvalidParameterValueException',
          'Runtime is required for .zip deployment package',
        )
      if (!fields.Handler)
        throw new ApiError(
          'InvalidParameterValueException',
          'Handler is required for .zip deployment package',
        )
      const codeInput = req.body.object('Code')
      if (await store.read((r) => r.get('function', '', name))) {
        throw new ApiError('ResourceConflictException', `Function already exist: ${name}`)
      }
      // LocalStack's convention, which deployment tools already emit for local development:
      // S3Bucket "hot-reload" and S3Key the absolute path of a folder, used in place and reloaded on change.
      const hotReload = codeInput?.string('S3Bucket') === 'hot-reload'
      const code = hotReload
        ? lambda.hotReloadCode(codeInput?.string('S3Key') ?? '')
        : await lambda.storeCode(name, requiredZip(zipOf(codeInput)))
      const configuration = lambda.newConfiguration({
        FunctionName: name,
        Runtime: fields.Runtime,
        Handler: fields.Handler,
        Role: fields.Role ?? `arn:aws:iam::000000000000:role/lambda-role`,
        Description: fields.Description ?? '',
        Timeout: fields.Timeout ?? 3,
        MemorySize: fields.MemorySize ?? 128,
        CodeSha256: code.sha,
        CodeSize: code.size,
        ...(fields.Environment ? { Environment: fields.Environment } : {}),
      })
      const record: FunctionRecord = {
        configuration,
        codeDir: code.codeDir,
        ...(code.key ? { codeKey: code.key } : {}),
        ...(hotReload ? { hotReload } : {}),
      }
      await store.transaction(async (tx) => {
        if (await tx.get('function', '', name))
          throw new ApiError('ResourceConflictException', `Function already exist: ${name}`)
        await lambda.shareCode(tx, name, code)
        await tx.put('function', '', name, record)
      })
      return { status: 201, body: configuration }
    }),
  },
  {
    method: 'GET',
    path: BASE,
    handler: lambdaRoute(async (req, { store }) => {
      const records = await store.read((r) => r.list('function', ''))
      const all = records
        .map((r) => r.configuration)
        .sort((a, b) => a.FunctionName.localeCompare(b.FunctionName))
      const max = Number(req.query.get('MaxItems') ?? 50)
      const marker = req.query.get('Marker')
      const start = marker
        ? Math.max(
            0,
            all.findIndex((f) => f.FunctionName === marker),
          )
        : 0
      const page = all.slice(start, start + max)
      const next = all[start + max]
      return { status: 200, body: { Functions: page, ...(next ? { NextMarker: next.FunctionName } : {}) } }
    }),
  },
  {
    method: 'GET',
    path: `${BASE}/{function}`,
    handler: lambdaRoute(async (req, { store }, lambda) => {
      const { name } = functionName(req.params['function'] ?? '')
      const record = await store.read((r) => r.get('function', '', name))
      if (!record) throw lambda.notFound(name)
      return {
        status: 200,
        body: {
          Configuration: record.configuration,
          Code: { RepositoryType: 'S3', Location: `file://${record.codeDir}` },
        },
      }
    }),
  },
  {
    method: 'GET',
    path: `${BASE}/{function}/configuration`,
    handler: lambdaRoute(async (req, { store }, lambda) => {
      const { name } = functionName(req.params['function'] ?? '')
      const record = await store.read((r) => r.get('function', '', name))
      if (!record) throw lambda.notFound(name)
      return { status: 200, body: record.configuration }
    }),
  },
  {
    method: 'PUT',
    path: `${BASE}/{function}/configuration`,
    handler: lambdaRoute(async (req, { store }, lambda) => {
      const { name } = functionName(req.params['function'] ?? '')
      const fields = readConfiguration(req.body)
      const configuration = await store.transaction(async (tx) => {
        const record = await tx.get('function', '', name)
        if (!record) throw lambda.notFound(name)
        const updated: FunctionConfiguration = {
          ...record.configuration,
          ...fields,
          LastModified: lambdaTimestamp(),
          RevisionId: crypto.randomUUID(),
        }
        await tx.put('function', '', name, { ...record, configuration: updated })
        return updated
      })
      lambda.retire(name)
      return { status: 200, body: configuration }
    }),
  },
  {
    method: 'PUT',
    path: `${BASE}/{function}/code`,
    handler: lambdaRoute(async (req, { store }, lambda) => {
      const { name } = functionName(req.params['function'] ?? '')
      const zip = zipOf(req.body)
      if (!zip)
        throw new ApiError('InvalidParameterValueException', 'Please provide a source for function code.')
      if (!(await store.read((r) => r.get('function', '', name)))) throw lambda.notFound(name)
      const code = await lambda.storeCode(name, zip)
      const configuration = await store.transaction(async (tx) => {
        const record = await tx.get('function', '', name)
        if (!record) throw lambda.notFound(name)
        const updated: FunctionConfiguration = {
          ...record.configuration,
          CodeSha256: code.sha,
          CodeSize: code.size,
          LastModified: lambdaTimestamp(),
          RevisionId: crypto.randomUUID(),
        }
        await lambda.shareCode(tx, name, code)
        await tx.put('function', '', name, {
          ...record,
          configuration: updated,
          codeDir: code.codeDir,
          ...(code.key ? { codeKey: code.key } : {}),
        })
        return updated
      })
      lambda.retire(name)
      return { status: 200, body: configuration }
    }),
  },
  {
    method: 'DELETE',
    path: `${BASE}/{function}`,
    handler: lambdaRoute(async (req, { store }, lambda) => {
      const { name } = functionName(req.params['function'] ?? '')
      const removed = await store.transaction(async (tx) => {
        if (!(await tx.delete('function', '', name))) return false
        // Its versions, aliases and shared code go with it (per kind: the scope is only a name).
        for (const v of await tx.list('function-version', name))
          await tx.delete('function-version', name, v.configuration.Version)
        for (const a of await tx.list('function-alias', name)) await tx.delete('function-alias', name, a.Name)
        for (const c of await tx.list('function-code', name)) await tx.delete('function-code', name, c.key)
        return true
      })
      if (!removed) throw lambda.notFound(name)
      lambda.forget(name)
      return { status: 204 }
    }),
  },
  {
    method: 'POST',
    path: `${BASE}/{function}/invocations`,
    rawBody: true,
    handler: lambdaRoute(async (req, { store }, lambda) => {
      const { name } = functionName(req.params['function'] ?? '')
      const type = (req.headers['x-amz-invocation-type'] as string | undefined) ?? 'RequestResponse'
      if (type === 'DryRun') {
        if (!(await store.read((r) => r.get('function', '', name)))) throw lambda.notFound(name)
        return { status: 204 }
      }
      if (type === 'Event') {
        if (!(await store.read((r) => r.get('function', '', name)))) throw lambda.notFound(name)
        // Asynchronous invocation: accepted now, run in the background.
        lambda.invokeAsync(name, req.rawBody, req.query.get('Qualifier') ?? undefined)
        return { status: 202 }
      }
      const { qualifier } = functionName(req.params['function'] ?? '')
      const result = await lambda.invoke(name, req.rawBody, req.query.get('Qualifier') ?? qualifier)
      // As on AWS, the call's request id is the invocation's (context.awsRequestId, the log's RequestId).
      const headers: Record<string, string> = {
        'x-amz-executed-version': result.executedVersion,
        'x-amzn-requestid': result.requestId,
      }
      if (result.functionError) headers['x-amz-function-error'] = result.functionError
      if (req.headers['x-amz-log-type'] === 'Tail')
        headers['x-amz-log-result'] = Buffer.from(result.log).toString('base64')
      return { status: 200, rawBody: result.payload, headers }
    }),
  },
]
