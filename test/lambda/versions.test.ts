import {
  AddPermissionCommand,
  CreateAliasCommand,
  DeleteAliasCommand,
  GetAliasCommand,
  GetPolicyCommand,
  InvokeCommand,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  RemovePermissionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda'
import { PutIntegrationCommand, PutMethodCommand } from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, deploy } from '../support/apis.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { createFunction, lambdaClient, zipOf } from '../support/lambda.js'

let tg: TestGateway
let lambda: LambdaClient
beforeAll(async () => {
  tg = await startTestGateway()
  lambda = lambdaClient(tg.url)
})
afterAll(async () => {
  lambda.destroy()
  await tg.close()
})

const code = (label: string) => ({
  'index.js': `exports.handler = async (e, ctx) => ({ label: ${JSON.stringify(label)}, version: ctx.functionVersion, arn: ctx.invokedFunctionArn })`,
})
const invoke = async (name: string, qualifier?: string) => {
  const result = await lambda.send(
    new InvokeCommand({ FunctionName: name, ...(qualifier ? { Qualifier: qualifier } : {}) }),
  )
  return {
    ...(JSON.parse(Buffer.from(result.Payload ?? []).toString()) as Record<string, string>),
    executed: result.ExecutedVersion,
  }
}

describe('versions and aliases', () => {
  it('publishes immutable versions and invokes them by number and by alias', async () => {
    await createFunction(lambda, 'versioned', code('one'))
    const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: 'versioned' }))
    expect(v1).toMatchObject({
      Version: '1',
      FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:versioned:1',
    })
    // Nothing changed: publishing again returns the same version.
    expect((await lambda.send(new PublishVersionCommand({ FunctionName: 'versioned' }))).Version).toBe('1')
    await lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'versioned', ZipFile: zipOf(code('two')) }),
    )
    const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: 'versioned' }))
    expect(v2.Version).toBe('2')
    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'versioned' }))
    expect(versions.Versions?.map((v) => v.Version)).toEqual(['$LATEST', '1', '2'])

    expect(await invoke('versioned', '1')).toMatchObject({ label: 'one', version: '1', executed: '1' })
    expect(await invoke('versioned')).toMatchObject({ label: 'two', version: '$LATEST', executed: '$LATEST' })

    const alias = await lambda.send(
      new CreateAliasCommand({ FunctionName: 'versioned', Name: 'live', FunctionVersion: '1' }),
    )
    expect(alias).toMatchObject({
      Name: 'live',
      FunctionVersion: '1',
      AliasArn: 'arn:aws:lambda:us-east-1:000000000000:function:versioned:live',
    })
    expect(await invoke('versioned', 'live')).toMatchObject({
      label: 'one',
      arn: 'arn:aws:lambda:us-east-1:000000000000:function:versioned:live',
    })
    await lambda.send(
      new UpdateAliasCommand({ FunctionName: 'versioned', Name: 'live', FunctionVersion: '2' }),
    )
    expect(await invoke('versioned', 'live')).toMatchObject({ label: 'two', version: '2' })
    expect(
      (await lambda.send(new GetAliasCommand({ FunctionName: 'versioned', Name: 'live' }))).FunctionVersion,
    ).toBe('2')
    expect(
      (await lambda.send(new ListAliasesCommand({ FunctionName: 'versioned' }))).Aliases?.map((a) => a.Name),
    ).toEqual(['live'])
    await expect(
      lambda.send(new CreateAliasCommand({ FunctionName: 'versioned', Name: 'live', FunctionVersion: '1' })),
    ).rejects.toMatchObject({
      name: 'ResourceConflictException',
    })
    await lambda.send(new DeleteAliasCommand({ FunctionName: 'versioned', Name: 'live' }))
    await expect(invoke('versioned', 'live')).rejects.toMatchObject({ name: 'ResourceNotFoundException' })
  })

  it('invokes the alias a stage variable names, through AWS_PROXY', async () => {
    await createFunction(lambda, 'staged', {
      'index.js': 'exports.handler = async (e, ctx) => ({ statusCode: 200, body: ctx.functionVersion })',
    })
    await lambda.send(new PublishVersionCommand({ FunctionName: 'staged' }))
    await lambda.send(new CreateAliasCommand({ FunctionName: 'staged', Name: 'prod', FunctionVersion: '1' }))
    const { apiId, rootId } = await createApi(tg.client)
    await tg.client.send(
      new PutMethodCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'GET',
        authorizationType: 'NONE',
      }),
    )
    await tg.client.send(
      new PutIntegrationCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'GET',
        type: 'AWS_PROXY',
        integrationHttpMethod: 'POST',
        // AWS docs "aws-api-gateway-stage-variables-reference": function:name:${stageVariables.alias}.
        uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:staged:${stageVariables.alias}/invocations',
      }),
    )
    await deploy(tg.client, apiId, 'prod', { alias: 'prod' })
    expect(await (await fetch(`${tg.url}/_aws/execute-api/${apiId}/prod/`)).text()).toBe('1')
  })
})

describe('resource policy', () => {
  it('adds, reads and removes permission statements', async () => {
    await createFunction(lambda, 'guarded', code('g'))
    await expect(lambda.send(new GetPolicyCommand({ FunctionName: 'guarded' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    })
    const added = await lambda.send(
      new AddPermissionCommand({
        FunctionName: 'guarded',
        StatementId: 'apigw',
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        SourceArn: 'arn:aws:execute-api:us-east-1:000000000000:abc/*/GET/',
      }),
    )
    expect(JSON.parse(added.Statement ?? '{}')).toMatchObject({
      Sid: 'apigw',
      Effect: 'Allow',
      Principal: { Service: 'apigateway.amazonaws.com' },
      Action: 'lambda:InvokeFunction',
      Condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:execute-api:us-east-1:000000000000:abc/*/GET/' } },
    })
    await expect(
      lambda.send(
        new AddPermissionCommand({
          FunctionName: 'guarded',
          StatementId: 'apigw',
          Action: 'lambda:InvokeFunction',
          Principal: 'apigateway.amazonaws.com',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceConflictException' })
    const policy = JSON.parse(
      (await lambda.send(new GetPolicyCommand({ FunctionName: 'guarded' }))).Policy ?? '{}',
    ) as { Statement: unknown[] }
    expect(policy.Statement).toHaveLength(1)
    await lambda.send(new RemovePermissionCommand({ FunctionName: 'guarded', StatementId: 'apigw' }))
    await expect(
      lambda.send(new RemovePermissionCommand({ FunctionName: 'guarded', StatementId: 'apigw' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    })
  })
})
