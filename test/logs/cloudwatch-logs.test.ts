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
import type { InvocationReport } from '../../src/logs/invocation-report.js'
import { LogGroups, type LogGroup } from '../../src/logs/log-groups.js'
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
  const report = (requestId: string, output = ''): InvocationReport => ({
    requestId,
    output,
    durationMs: 1,
    memoryMb: 128,
  })
  const starts = (group: LogGroup | undefined): string[] =>
    (group?.invocations.read() ?? [])
      .filter((e) => e.message.startsWith('START'))
      .map((e) => /RequestId: (\S+)/.exec(e.message)?.[1] ?? '')

  it('keeps at most the configured events and streams per group, dropping the oldest invocations whole', () => {
    const groups = new LogGroups({ eventsPerGroup: 10, streamsPerGroup: 2, charsPerGroup: 1_000, groups: 10 })
    groups.put('g', 'a', report('r1'), 1, 1, 1)
    groups.put('g', 'b', report('r2', 'x\ny\n'), 2, 2, 2)
    expect(groups.group('g')?.invocations.events).toBe(8)
    // 11 events: r1's three go.
    groups.put('g', 'b', report('r3'), 3, 3, 3)
    expect(starts(groups.group('g'))).toEqual(['r2', 'r3'])
    groups.put('g', 'c', report('r4'), 4, 4, 4)
    // Stream a (the least recently written) is gone, and r2 for the event limit.
    expect([...(groups.group('g')?.streams.keys() ?? [])]).toEqual(['b', 'c'])
    expect(starts(groups.group('g'))).toEqual(['r3', 'r4'])

    // Huge output pushes older invocations out before the event count does.
    const wide = new LogGroups({ eventsPerGroup: 100, streamsPerGroup: 2, charsPerGroup: 1_000, groups: 10 })
    wide.put('g', 's', report('w1', 'w\n'), 1, 1, 1)
    wide.put('g', 's', report('w2', 'v\n'), 2, 2, 2)
    wide.put('g', 's', report('w3', `${'z'.repeat(997)}\n`), 3, 3, 3)
    expect(starts(wide.group('g'))).toEqual(['w2', 'w3'])
    expect(wide.group('g')?.invocations.chars).toBe(1_000)

    // A stream dropped takes its invocations along, and only those.
    const streams = new LogGroups({
      eventsPerGroup: 100,
      streamsPerGroup: 2,
      charsPerGroup: 1_000,
      groups: 10,
    })
    streams.put('g', 's1', report('x'), 1, 1, 1)
    streams.put('g', 's2', report('y', 'out\n'), 2, 2, 2)
    streams.put('g', 's1', report('z'), 3, 3, 3)
    streams.put('g', 's3', report('w'), 4, 4, 4)
    expect(starts(streams.group('g'))).toEqual(['x', 'z', 'w'])
    expect(streams.group('g')?.invocations).toMatchObject({ events: 9, chars: 0 })
  })

  it("makes an invocation's events when read: START at its start, a line of output each, END and REPORT at its end", () => {
    const groups = new LogGroups()
    groups.put('g', 's', report('r0'), 1, 1, 1)
    const output = `\nhello\n${'y'.repeat(300 * 1024)}\n`
    groups.put(
      'g',
      's',
      { requestId: 'r1', output, durationMs: 12.5, memoryMb: 256, maxMemoryMb: 61 },
      100,
      140,
      141,
    )
    const group = groups.group('g') as LogGroup
    const events = group.invocations.read().slice(3)
    expect(events.map((e) => [e.timestamp, e.ingestionTime, e.message.slice(0, 20)])).toEqual([
      [100, 141, 'START RequestId: r1 '],
      [140, 141, 'hello'],
      [140, 141, 'yyyyyyyyyyyyyyyyyyyy'],
      [140, 141, 'END RequestId: r1'],
      [140, 141, 'REPORT RequestId: r1'],
    ])
    expect(events[0]?.message).toBe('START RequestId: r1 Version: $LATEST')
    expect(events[4]?.message).toBe(
      'REPORT RequestId: r1\tDuration: 12.50 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\tMax Memory Used: 61 MB',
    )
    // CloudWatch Logs takes events of up to 256 KB: a longer line is cut there.
    expect(events[2]?.message.length).toBe(256 * 1024)
    // One seq per event, following the earlier invocation's; the newest is the group's latest.
    expect(events.map((e) => e.seq)).toEqual([4, 5, 6, 7, 8])
    expect(group.invocations.latestSeq()).toBe(8)
    expect(group.streams.get('s')).toMatchObject({ firstEventTimestamp: 1, lastEventTimestamp: 140 })
  })

  it('keeps invocations in order as its ring grows and wraps around', () => {
    const groups = new LogGroups({
      eventsPerGroup: 100,
      streamsPerGroup: 2,
      charsPerGroup: 100_000,
      groups: 10,
    })
    const lines = 'line\n'.repeat(20)
    const held: number[] = []
    // Large invocations first (23 events each), so the oldest go while the ring still grows.
    for (let n = 1; n <= 5; n++) groups.put('g', 's', report(`big${n}`, lines), n, n, n)
    for (let n = 1; n <= 40; n++) {
      groups.put('g', 's', report(`small${n}`), 10 + n, 10 + n, 10 + n)
      held.push(groups.group('g')?.invocations.events ?? 0)
    }
    expect(Math.max(...held)).toBeLessThanOrEqual(100)
    expect(starts(groups.group('g'))).toEqual(Array.from({ length: 33 }, (_, i) => `small${i + 8}`))
    const events = groups.group('g')?.invocations.read() ?? []
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => (events[0]?.seq ?? 0) + i))
  })

  it('keeps at most the configured groups, dropping the one written to longest ago', () => {
    const groups = new LogGroups({ eventsPerGroup: 10, streamsPerGroup: 2, charsPerGroup: 1_000, groups: 3 })
    const put = (name: string, at: number) => groups.put(name, 's', report(name), at, at, at)
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
