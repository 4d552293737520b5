import { randomUUID } from 'node:crypto'
import { ApiError } from '../controlplane/api-error.js'
import type { Route } from '../controlplane/router.js'
import { functionName, lambdaRoute } from './api-common.js'
import type { FunctionAlias, FunctionConfiguration, FunctionRecord } from './model.js'
import { lambdaTimestamp } from './model.js'

const BASE = '/2015-03-31/functions/{function}'

/** Fields that make two versions the same function (PublishVersion returns the existing one then). */
const sameFunction = (a: FunctionConfiguration, b: FunctionConfiguration): boolean =>
  a.CodeSha256 === b.CodeSha256 &&
  a.Handler === b.Handler &&
  a.Runtime === b.Runtime &&
  a.Timeout === b.Timeout &&
  a.MemorySize === b.MemorySize &&
  JSON.stringify(a.Environment ?? {}) === JSON.stringify(b.Environment ?? {})

/** Versions, aliases and the resource policy of a function (AWS Lambda API). */
export const lambdaVersionRoutes: Route[] = [
  {
    method: 'POST',
    path: `${BASE}/versions`,
    handler: lambdaRoute(async (req, { store }, lambda) => {
      const { name } = functionName(req.params['function'] ?? '')
      const description = req.body.string('Description')
      const configuration = await store.transaction(async (tx) => {
        const latest = await tx.get('function', '', name)
        if (!latest) throw lambda.notFound(name)
        const versions = await tx.list('function-version', name)
        const last = versions.at(-1)
        if (last && sameFunction(last.configuration, latest.configuration)) return last.configuration
        const number = String((latest.lastVersion ?? 0) + 1)
        const published: FunctionRecord = {
          codeDir: latest.codeDir,
          ...(latest.codeKey ? { codeKey: latest.codeKey } : {}),
          configuration: {
            ...latest.configuration,
            Version: number,
            FunctionArn: `${lambda.functionArn(name)}:${number}`,
            Description: description ?? latest.configuration.Description,
            RevisionId: randomUUID(),
            LastModified: lambdaTimestamp(),
          },
        }
        await tx.put('function-version', name, number, published)
        await tx.put('function', '', name, { ...latest, lastVersion: Number(number) })
        return published.configuration
      })
      return { status: 201, body: configuration }
    }),
  },
  {
    method: 'GET',
    path: `${BASE}/versions`,
    handler: lambdaRoute(async (req, { store }, lambda) => {
      const { name } = functionName(req.params['function'] ?? '')
      const versions = await store.read(async (r) => {
        const latest = await r.get('function', '', name)
        if (!latest) throw lambda.notFound(name)
        const published = await r.list('function-version', name)
        return [
          { ...latest.configuration, FunctionArn: `${lambda.functionArn(name)}:$LATEST` },
          ...published.map((v) => v.configuration),
        ]
      })
      return { status: 200, body: { Versions: versions } }
    }),
  },
  {
    method: 'POST',
    path: `${BASE}/aliases`,
    handler: lambdaRoute(async (req, { store }, lambda) => {
      const { name } = functionName(req.params['function'] ?? '')
      const aliasName = req.body.string('Name') ?? ''
      const version = req.body.string('FunctionVersion') ?? ''
      if (!/^(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}$/.test(aliasName)) {
        throw new ApiError(
          'InvalidParameterValueException',
          `1 validation error detected: Value '${aliasName}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)`,
        )
      }
      const alias: FunctionAlias = {
        AliasArn: `${lambda.functionArn(name)}:${aliasName}`,
        Name: aliasName,
        FunctionVersion: version,
        Description: req.body.string('Description') ?? '',
        RevisionId: randomUUID(),
      }
      await store.transaction(async (tx) => {
        if (!(await tx.get('function', '', name))) throw lambda.notFound(name)
        if (version !== '$LATEST' && !(await tx.get('function-version', name, version))) {
          throw new ApiError(
            'ResourceNotFoundException',
            `Function not found: ${lambda.functionArn(name)}:${version}`,
          )
        }
        if (await tx.get('function-alias', name, aliasName)) {
          throw new ApiError('ResourceConflictException', `Alias already exists: ${alias.AliasArn}`)
        }
        await tx.put('function-alias', name, aliasName, alias)
      })
      return { status: 201, body: alias }
    }),
  },
  {
    method: 'GET',
    path: `${BASE}/aliases`,
    handler: lambdaRoute(async (req, { store }, lambda) => {
      const { name } = functionName(req.params['function'] ?? '')
      const aliases = await store.read(async (r) => {
        if (!(await r.get('function', '', name))) throw lambda.notFound(name)
        return r.list('function-alias', name)
      })
      return { status: 200, body: { Aliases: aliases } }
    }),
  },
  {
    method: 'GET',
    path: `${BASE}/aliases/{alias}`,
    handler: lambdaRoute(async (req, { store }, lambda) => {
      const { name } = functionName(req.params['function'] ?? '')
      const aliasName = req.params['alias'] ?? ''
      const alias = await store.read((r) => r.get('function-alias', name, aliasName))
      if (!alias)
        throw new ApiError(
          'ResourceNotFoundException',
          `Alias not found: ${lambda.functionArn(name)}:${aliasName}`,
        )
      return { status: 200, body: alias }
    }),
  },
  {
    method: 'PUT',
    path: `${BASE}/aliases/{alias}`,
    handler: lambdaRoute(async (req, { store }, lambda) => {
      const { name } = functionName(req.params['function'] ?? '')
      const aliasName = req.params['alias'] ?? ''
      const updated = await store.transaction(async (tx) => {
        const alias = await tx.get('function-alias', name, aliasName)
        if (!alias)
          throw new ApiError(
            'ResourceNotFoundException',
            `Alias not found: ${lambda.functionArn(name)}:${aliasName}`,
          )
        const version = req.body.string('FunctionVersion')
        if (
          version !== undefined &&
          version !== '$LATEST' &&
          !(await tx.get('function-version', name, version))
        ) {
          throw new ApiError(
            'ResourceNotFoundException',
            `Function not found: ${lambda.functionArn(name)}:${version}`,
          )
        }
        const next: FunctionAlias = {
          ...alias,
          ...(version !== undefined ? { FunctionVersion: version } : {}),
          Description: req.body.string('Description') ?? alias.Description,
          RevisionId: randomUUID(),
        }
        await tx.put('function-alias', name, aliasName, next)
        return next
      })
      return { status: 200, body: updated }
    }),
  },
  {
    method: 'DELETE',
    path: `${BASE}/aliases/{alias}`,
    handler: lambdaRoute(async (req, { store }) => {
      const { name } = functionName(req.params['function'] ?? '')
      await store.transaction((tx) => tx.delete('function-alias', name, req.params['alias'] ?? ''))
      return { status: 204 }
    }),
  },
  {
    method: 'POST',
    path: `${BASE}/policy`,
    handler: lambdaRoute(async (req, { store }, lambda) => {
      const { name } = functionName(req.params['function'] ?? '')
      const sid = req.body.string('StatementId') ?? ''
      const action = req.body.string('Action') ?? ''
      const principal = req.body.string('Principal') ?? ''
      const sourceArn = req.body.string('SourceArn')
      const statement: Record<string, unknown> = {
        Sid: sid,
        Effect: 'Allow',
        Principal: principal.includes('.') ? { Service: principal } : { AWS: principal },
        Action: action,
        Resource: lambda.functionArn(name),
        ...(sourceArn ? { Condition: { ArnLike: { 'AWS:SourceArn': sourceArn } } } : {}),
      }
      await store.transaction(async (tx) => {
        const record = await tx.get('function', '', name)
        if (!record) throw lambda.notFound(name)
        const policy = record.policy ?? { Version: '2012-10-17', Id: 'default', Statement: [] }
        if (policy.Statement.some((s) => s['Sid'] === sid)) {
          throw new ApiError(
            'ResourceConflictException',
            `The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
          )
        }
        await tx.put('function', '', name, {
          ...record,
          policy: { ...policy, Statement: [...policy.Statement, statement] },
        })
      })
      return { status: 201, body: { Statement: JSON.stringify(statement) } }
    }),
  },
  {
    method: 'GET',
    path: `${BASE}/policy`,
    handler: lambdaRoute(async (req, { store }, lambda) => {
      const { name } = functionName(req.params['function'] ?? '')
      const record = await store.read((r) => r.get('function', '', name))
      if (!record) throw lambda.notFound(name)
      if (!record.policy?.Statement.length)
        throw new ApiError('ResourceNotFoundException', 'The resource you requested does not exist.')
      return {
        status: 200,
        body: { Policy: JSON.stringify(record.policy), RevisionId: record.configuration.RevisionId },
      }
    }),
  },
  {
    method: 'DELETE',
    path: `${BASE}/policy/{sid}`,
    handler: lambdaRoute(async (req, { store }, lambda) => {
      const { name } = functionName(req.params['function'] ?? '')
      const sid = req.params['sid'] ?? ''
      await store.transaction(async (tx) => {
        const record = await tx.get('function', '', name)
        if (!record) throw lambda.notFound(name)
        const statements = record.policy?.Statement ?? []
        if (!statements.some((s) => s['Sid'] === sid)) {
          throw new ApiError('ResourceNotFoundException', `Statement ${sid} is not found in resource policy.`)
        }
        await tx.put('function', '', name, {
          ...record,
          policy: {
            Version: '2012-10-17',
            Id: 'default',
            Statement: statements.filter((s) => s['Sid'] !== sid),
          },
        })
      })
      return { status: 204 }
    }),
  },
]

/** Reserved concurrency (PutFunctionConcurrency / GetFunctionConcurrency / DeleteFunctionConcurrency). */
export const lambdaConcurrencyRoutes: Route[] = [
  {
    method: 'PUT',
    path: '/2017-10-31/functions/{function}/concurrency',
    handler: lambdaRoute(async (req, { store }, lambda) => {
      const { name } = functionName(req.params['function'] ?? '')
      const reserved = req.body.integer('ReservedConcurrentExecutions')
      if (reserved === undefined || reserved < 0 || reserved > 1000) {
        throw new ApiError(
          'InvalidParameterValueException',
          `1 validation error detected: Value '${String(reserved)}' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0`,
        )
      }
      await store.transaction(async (tx) => {
        const record = await tx.get('function', '', name)
        if (!record) throw lambda.notFound(name)
        await tx.put('function', '', name, { ...record, reservedConcurrency: reserved })
      })
      return { status: 200, body: { ReservedConcurrentExecutions: reserved } }
    }),
  },
  {
    method: 'GET',
    path: '/2019-09-30/functions/{function}/concurrency',
    handler: lambdaRoute(async (req, { store }, lambda) => {
      const { name } = functionName(req.params['function'] ?? '')
      const record = await store.read((r) => r.get('function', '', name))
      if (!record) throw lambda.notFound(name)
      return {
        status: 200,
        body:
          record.reservedConcurrency === undefined
            ? {}
            : { ReservedConcurrentExecutions: record.reservedConcurrency },
      }
    }),
  },
  {
    method: 'DELETE',
    path: '/2017-10-31/functions/{function}/concurrency',
    handler: lambdaRoute(async (req, { store }, lambda) => {
      const { name } = functionName(req.params['function'] ?? '')
      await store.transaction(async (tx) => {
        const record = await tx.get('function', '', name)
        if (!record) throw lambda.notFound(name)
        const { reservedConcurrency: _dropped, ...rest } = record
        await tx.put('function', '', name, rest)
      })
      return { status: 204 }
    }),
  },
]
