import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { tempDir } from '../support/process.js'
import { AWS_CLI, awsCli, requireTool } from '../support/tools.js'

const run = promisify(execFile)
const skip = await requireTool(awsCli)

describe('the policy for tests that need an outside tool', () => {
  afterEach(() => vi.unstubAllEnvs())
  const missing = { name: 'a tool that is not there', check: () => false, install: 'nothing' }

  it('skips with a printed reason on a developer machine', async () => {
    vi.stubEnv('CI', '')
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    expect(await requireTool(missing)).toBe(true)
    expect(warn).toHaveBeenCalledWith(
      'skipping the tests that need a tool that is not there is not available (to get it: nothing)',
    )
    warn.mockRestore()
  })

  it('fails instead of skipping under CI=true', async () => {
    vi.stubEnv('CI', 'true')
    await expect(requireTool(missing)).rejects.toThrow('CI must not skip tests')
    await expect(requireTool({ ...missing, check: () => Promise.reject(new Error('down')) })).rejects.toThrow(
      'CI must not skip tests',
    )
  })

  it('runs the tests when the tool is there', async () => {
    vi.stubEnv('CI', 'true')
    expect(await requireTool({ ...missing, check: () => Promise.resolve(true) })).toBe(false)
  })
})

describe.skipIf(skip)('the aws CLI against Tollgate', () => {
  let tg: TestGateway
  let env: NodeJS.ProcessEnv
  beforeAll(async () => {
    tg = await startTestGateway()
    const home = tempDir('tollgate-awscli-')
    writeFileSync(join(home, 'config'), '')
    writeFileSync(join(home, 'credentials'), '')
    env = {
      PATH: process.env['PATH'],
      HOME: home,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CONFIG_FILE: join(home, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
      AWS_PAGER: '',
    }
  })
  afterAll(() => tg.close())

  const aws = async (...args: string[]): Promise<Record<string, unknown>> => {
    const { stdout } = await run(
      AWS_CLI,
      ['apigateway', ...args, '--endpoint-url', tg.url, '--region', 'us-east-1', '--output', 'json'],
      { env },
    )
    return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>)
  }

  it('creates resources, a MOCK method, deploys and invokes', async () => {
    const version = await run(AWS_CLI, ['--version'], { env })
    expect(version.stdout + version.stderr).toMatch(/^aws-cli\/2\./)

    const api = await aws(
      'create-rest-api',
      '--name',
      'cli-api',
      '--endpoint-configuration',
      'types=REGIONAL',
    )
    expect(api).toMatchObject({
      name: 'cli-api',
      endpointConfiguration: { types: ['REGIONAL'] },
    })
    const apiId = api['id'] as string
    const resources = (await aws('get-resources', '--rest-api-id', apiId))['items'] as {
      id: string
      path: string
    }[]
    // The CLI's 2.9 model predates rootResourceId: the root is the one resource there is.
    expect(resources).toEqual([{ id: expect.stringMatching(/^[a-z0-9]{10}$/), path: '/' }])
    const hello = await aws(
      'create-resource',
      '--rest-api-id',
      apiId,
      '--parent-id',
      resources[0]!.id,
      '--path-part',
      'hello',
    )
    expect(hello).toMatchObject({ path: '/hello', pathPart: 'hello' })
    const resourceId = hello['id'] as string
    const common = ['--rest-api-id', apiId, '--resource-id', resourceId, '--http-method', 'GET']
    expect(await aws('put-method', ...common, '--authorization-type', 'NONE')).toMatchObject({
      httpMethod: 'GET',
      authorizationType: 'NONE',
      apiKeyRequired: false,
    })
    expect(
      await aws(
        'put-integration',
        ...common,
        '--type',
        'MOCK',
        '--request-templates',
        '{"application/json": "{\\"statusCode\\": 200}"}',
      ),
    ).toMatchObject({ type: 'MOCK', passthroughBehavior: 'WHEN_NO_MATCH', timeoutInMillis: 29000 })
    expect(await aws('put-method-response', ...common, '--status-code', '200')).toEqual({
      statusCode: '200',
    })
    const integrationResponse = await aws(
      'put-integration-response',
      ...common,
      '--status-code',
      '200',
      '--selection-pattern',
      '',
      '--response-templates',
      '{"application/json": "{\\"hello\\": \\"cli\\"}"}',
    )
    expect(integrationResponse).toEqual({
      statusCode: '200',
      selectionPattern: '',
      responseTemplates: { 'application/json': '{"hello": "cli"}' },
    })
    const deployment = await aws(
      'create-deployment',
      '--rest-api-id',
      apiId,
      '--stage-name',
      'dev',
      '--description',
      'from the CLI',
    )
    expect(deployment['id']).toMatch(/^[a-z0-9]{6}$/)
    const stages = (await aws('get-stages', '--rest-api-id', apiId))['item'] as {
      stageName: string
      deploymentId: string
    }[]
    expect(stages).toMatchObject([{ stageName: 'dev', deploymentId: deployment['id'] }])
    const deployments = (await aws('get-deployments', '--rest-api-id', apiId))['items'] as {
      id: string
      description: string
    }[]
    expect(deployments).toMatchObject([{ id: deployment['id'], description: 'from the CLI' }])

    const response = await fetch(`${tg.url}/_aws/execute-api/${apiId}/dev/hello`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ hello: 'cli' })
  })

  it('prints AWS errors the CLI understands', async () => {
    const failure = await run(
      AWS_CLI,
      [
        'apigateway',
        'get-rest-api',
        '--rest-api-id',
        'nosuchapi0',
        '--endpoint-url',
        tg.url,
        '--region',
        'us-east-1',
      ],
      { env },
    ).then(
      () => undefined,
      (e: unknown) => e as { code: number; stderr: string },
    )
    expect(failure?.code).toBe(254)
    expect(failure?.stderr).toContain(
      'An error occurred (NotFoundException) when calling the GetRestApi operation: Invalid API identifier specified 000000000000:nosuchapi0',
    )
  })
})
