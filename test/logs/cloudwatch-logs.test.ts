import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs'
import { InvokeCommand, InvocationType, type LambdaClient } from '@aws-sdk/client-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, deploy, putMethodWithIntegration } from '../support/apis.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { createFunction, lambdaClient } from '../support/lambda.js'
import { LogGroups } from '../../src/logs/log-groups.js'
import { matchesPattern } from '../../src/logs/api.js'

// The CloudWatch Logs subset Tollgate serves for its Lambda functions, driven by the real SDK.
// Wire format and messages, as AWS documents and answers them:
// - JSON 1.1 protocol, `POST /`, `X-Amz-Target: Logs_20140328.<Action>`, `Content-Type:
//   application/x-amz-json-1.1`: a botocore debug log of a call to logs.<region>.amazonaws.com in
//   https://github.com/boto/boto3/issues/2885
// - unknown group: ResourceNotFoundException "The specified log group does not exist." (400), as
//   AWS answers DescribeLogStreams (https://github.com/epsagon/list-lambdas/issues/5, and
//   "status code: 400" in https://github.com/e-travel/cloudwatchlogsbeat/issues/15); an unknown
//   stream: "The specified log stream does not exist." (GetLogEvents,
//   https://github.com/prefect-archive/prefect-aws/issues/177, localstack/localstack#9226)
// - FilterLogEvents fields (events with logStreamName, timestamp, message, ingestionTime, eventId;
//   searchedLogStreams; nextToken):
//   https://docs.amazonaws.cn/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
// - GetLogEvents always answers nextForwardToken and nextBackwardToken, the same token at the end
//   of the stream: aws-sdk-cloudwatchlogs GetLogEventsOutput (docs.rs)
// - DescribeLogStreams: orderBy LogStreamName (default) or LastEventTime, descending, limit (default
//   50): rusoto_logs DescribeLogStreamsRequest (docs.rs)

let tg: TestGateway
let lambda: LambdaClient
let logs: CloudWatchLogsClient
const GROUP = '/aws/lambda/greeter'

beforeAll(async () => {
  tg = await startTestGateway()
  lambda = lambdaClient(tg.url)
  logs = new CloudWatchLogsClient({
    endpoint: tg.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  })
  await createFunction(lambda, 'greeter', {
    'index.mjs': `export const handler = async (event, context) => {
      console.log('hello from ' + context.awsRequestId + ' in ' + context.logStreamName)
      return { statusCode: 200, body: JSON.stringify({ stream: context.logStreamName, id: context.awsRequestId }) }
    }`,
  })
})
afterAll(async () => {
  lambda.destroy()
  logs.destroy()
  await tg.close()
})

describe('CloudWatch Logs API for Lambda functions', () => {
  it('records invocations through the Invoke API and an AWS_PROXY integration', async () => {
    const direct = await lambda.send(
      new InvokeCommand({ FunctionName: 'greeter', Payload: Buffer.from('{}') }),
    )
    const first = JSON.parse(JSON.parse(Buffer.from(direct.Payload ?? []).toString()).body as string) as {
      stream: string
      id: string
    }
    // The Invoke call's request id is the invocation's, as on AWS.
    expect(direct.$metadata.requestId).toBe(first.id)

    const { apiId, rootId } = await createApi(tg.client)
    await putMethodWithIntegration(tg.client, apiId, rootId, 'GET', {
      type: 'AWS_PROXY',
      integrationHttpMethod: 'POST',
      uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:greeter/invocations',
    })
    await deploy(tg.client, apiId, 'dev')
    const response = await fetch(`${tg.url}/_aws/execute-api/${apiId}/dev/`)
    expect(response.status).toBe(200)
    const second = (await response.json()) as { stream: string; id: string }

    // One warm environment served both: one stream, named as the function saw it.
    expect(second.stream).toBe(first.stream)
    expect(first.stream).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/)

    const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/' }))
    expect(groups.logGroups?.map((g) => g.logGroupName)).toEqual([GROUP])
    expect(groups.logGroups?.[0]?.arn).toBe(`arn:aws:logs:us-east-1:000000000000:log-group:${GROUP}:*`)

    const streams = await logs.send(
      new DescribeLogStreamsCommand({
        logGroupName: GROUP,
        orderBy: 'LastEventTime',
        descending: true,
        limit: 5,
      }),
    )
    expect(streams.logStreams?.map((s) => s.logStreamName)).toEqual([first.stream])
    expect(streams.logStreams?.[0]?.lastEventTimestamp).toBeGreaterThan(0)

    const events = await logs.send(
      new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: first.stream, startFromHead: true }),
    )
    const messages = (events.events ?? []).map((e) => e.message ?? '')
    const expectInvocation = (id: string) => {
      const start = messages.indexOf(`START RequestId: ${id} Version: $LATEST`)
      expect(start).toBeGreaterThanOrEqual(0)
      expect(messages[start + 1]).toBe(`hello from ${id} in ${first.stream}`)
      expect(messages[start + 2]).toBe(`END RequestId: ${id}`)
      expect(messages[start + 3]).toMatch(
        new RegExp(
          `^REPORT RequestId: ${id}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB`,
        ),
      )
    }
    expectInvocation(first.id)
    expectInvocation(second.id)
    expect(events.nextForwardToken).toBeTruthy()
    expect(events.nextBackwardToken).toBeTruthy()
    // At the end of the stream the forward token comes back as it was given.
    const after = await logs.send(
      new GetLogEventsCommand({
        logGroupName: GROUP,
        logStreamName: first.stream,
        nextToken: events.nextForwardToken,
      }),
    )
    expect(after.events).toEqual([])
    expect(after.nextForwardToken).toBe(events.nextForwardToken)
    // Without startFromHead, the newest `limit` events.
    const newest = await logs.send(
      new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: first.stream, limit: 1 }),
    )
    expect(newest.events?.map((e) => e.message)).toEqual([messages.at(-1)])

    const reports = await logs.send(
      new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: 'REPORT RequestId' }),
    )
    expect(reports.events?.map((e) => /RequestId: (\S+)/.exec(e.message ?? '')?.[1])).toEqual([
      first.id,
      second.id,
    ])
    expect(reports.events?.[0]?.logStreamName).toBe(first.stream)
    expect(reports.events?.[0]?.eventId).toMatch(/^\d+$/)
    expect(reports.searchedLogStreams).toEqual([{ logStreamName: first.stream, searchedCompletely: true }])

    const line = await logs.send(
      new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: `"hello from ${second.id}"` }),
    )
    expect(line.events?.map((e) => e.message)).toEqual([`hello from ${second.id} in ${first.stream}`])
    const outside = await logs.send(
      new FilterLogEventsCommand({ logGroupName: GROUP, startTime: 0, endTime: 1, filterPattern: 'hello' }),
    )
    expect(outside.events).toEqual([])
    const paged = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, limit: 3 }))
    expect(paged.events).toHaveLength(3)
    const rest = await logs.send(
      new FilterLogEventsCommand({ logGroupName: GROUP, nextToken: paged.nextToken }),
    )
    expect((rest.events ?? []).length + 3).toBe(messages.length)
  })

  it('records asynchronous (Event) invocations', async () => {
    await lambda.send(
      new InvokeCommand({
        FunctionName: 'greeter',
        InvocationType: InvocationType.Event,
        Payload: Buffer.from('{}'),
      }),
    )
    await expect
      .poll(
        async () =>
          (await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: 'REPORT' })))
            .events?.length,
        { timeout: 10_000 },
      )
      .toBeGreaterThanOrEqual(3)
  })

  it('answers an unknown group or stream as AWS does', async () => {
    const error = await logs
      .send(new DescribeLogStreamsCommand({ logGroupName: '/aws/lambda/nobody' }))
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ResourceNotFoundException)
    expect((error as ResourceNotFoundException).message).toBe('The specified log group does not exist.')
    expect((error as ResourceNotFoundException).$metadata.httpStatusCode).toBe(400)

    const raw = await fetch(`${tg.url}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Logs_20140328.FilterLogEvents',
      },
      body: JSON.stringify({ logGroupName: '/aws/lambda/nobody' }),
    })
    expect(raw.status).toBe(400)
    expect(await raw.json()).toEqual({
      __type: 'ResourceNotFoundException',
      message: 'The specified log group does not exist.',
    })

    const stream = await logs
      .send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: 'nope' }))
      .catch((e: unknown) => e)
    expect((stream as Error).message).toBe('The specified log stream does not exist.')
  })

  it('leaves the management API alone', async () => {
    // POST / without the Logs target is still the management API's (no such operation).
    const response = await fetch(`${tg.url}/`, { method: 'POST', body: '{}' })
    expect(response.status).toBe(404)
    expect(response.headers.get('x-amzn-errortype')).toBe('UnknownOperationException')
  })
})

describe('log groups in memory', () => {
  it('keeps at most the configured events and streams per group', () => {
    const groups = new LogGroups({ eventsPerGroup: 3, streamsPerGroup: 2, charsPerGroup: 1_000, groups: 10 })
    const at = (n: number) => [{ timestamp: n, message: `m${n}` }]
    groups.put('g', 'a', at(1), 1)
    groups.put('g', 'b', [...at(2), ...at(3), ...at(4)], 4)
    expect(groups.group('g')?.events.map((e) => e.message)).toEqual(['m2', 'm3', 'm4'])
    groups.put('g', 'c', at(5), 5)
    // Stream a (the least recently written) is gone.
    expect([...(groups.group('g')?.streams.keys() ?? [])]).toEqual(['b', 'c'])
    // Huge lines push older events out before the event count does.
    groups.put('g', 'c', [{ timestamp: 6, message: 'x'.repeat(997) }], 6)
    expect(groups.group('g')?.events.map((e) => e.message.length)).toEqual([2, 997])
  })

  it('drops an eighth of the event limit at once when a group passes it, and never holds more', () => {
    const groups = new LogGroups({
      eventsPerGroup: 16,
      streamsPerGroup: 2,
      charsPerGroup: 100_000,
      groups: 10,
    })
    const counts: number[] = []
    for (let n = 1; n <= 40; n++) {
      groups.put('g', 's', [{ timestamp: n, message: `m${n}` }], n)
      counts.push(groups.group('g')?.events.length ?? 0)
    }
    // 16 kept, the 17th event leaves 14 (the newest ones), which grow to 16 again before the next drop.
    expect(counts.slice(14, 22)).toEqual([15, 16, 14, 15, 16, 14, 15, 16])
    expect(Math.max(...counts)).toBe(16)
    expect(groups.group('g')?.events.map((e) => e.message)).toEqual(
      Array.from({ length: 16 }, (_, i) => `m${25 + i}`),
    )
  })

  it('keeps at most the configured groups, dropping the one written to longest ago', () => {
    const groups = new LogGroups({ eventsPerGroup: 10, streamsPerGroup: 2, charsPerGroup: 1_000, groups: 3 })
    const put = (name: string, at: number) => groups.put(name, 's', [{ timestamp: at, message: name }], at)
    put('/aws/lambda/a', 1)
    put('/aws/lambda/b', 2)
    put('/aws/lambda/c', 3)
    put('/aws/lambda/a', 4) // a is now the most recently written
    put('/aws/lambda/d', 5) // b goes
    expect(groups.groups().map((g) => g.logGroupName)).toEqual([
      '/aws/lambda/a',
      '/aws/lambda/c',
      '/aws/lambda/d',
    ])
    for (let i = 0; i < 100; i++) put(`/aws/lambda/new-${i}`, 10 + i)
    expect(groups.groups().map((g) => g.logGroupName)).toEqual([
      '/aws/lambda/new-97',
      '/aws/lambda/new-98',
      '/aws/lambda/new-99',
    ])
  })

  it("matches AWS's simple filter patterns", () => {
    expect(matchesPattern('REPORT RequestId')('REPORT RequestId: 1\tDuration')).toBe(true)
    expect(matchesPattern('RequestId REPORT')('REPORT RequestId: 1')).toBe(true)
    expect(matchesPattern('"RequestId REPORT"')('REPORT RequestId: 1')).toBe(false)
    expect(matchesPattern('report')('REPORT')).toBe(false)
    expect(matchesPattern(undefined)('anything')).toBe(true)
  })
})
