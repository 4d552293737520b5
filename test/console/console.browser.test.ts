import { readFileSync } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type Page } from 'playwright-core'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { CHROMIUM, chromiumBrowser, requireTool } from '../support/tools.js'
import { InvokeCommand } from '@aws-sdk/client-lambda'
import { createFunction, lambdaClient, zipOf } from '../support/lambda.js'

// The console walked through in a real Chromium (Debian's, driven by playwright-core), against a
// gateway started here: every page is screenshotted (test-results/console/) and checked with
// axe-core for serious or critical accessibility violations.

/** The members of GetStage's answer the test reads. */
interface StageJson {
  deploymentId: string
  variables?: Record<string, string>
  methodSettings: Record<string, Record<string, unknown>>
  canarySettings?: { deploymentId: string }
}

/** The members of GetMethod's answer the test reads. */
interface MethodJson {
  apiKeyRequired?: boolean
  requestParameters?: Record<string, boolean>
  requestModels?: Record<string, string>
  methodResponses?: Record<string, unknown>
  methodIntegration: {
    requestTemplates?: Record<string, string>
    integrationResponses?: Record<string, unknown>
  }
}

const skip = await requireTool(chromiumBrowser)
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
/** How long a check of the page may keep trying. */
const POLL = { timeout: 10_000 }
const SHOTS = join(import.meta.dirname, '../../test-results/console')

// A loaded machine (the whole suite runs in parallel) may make a step slow: generous waits per step.
describe.skipIf(skip)('web console in Chromium', { timeout: 90_000 }, () => {
  let gw: TestGateway
  let browser: Browser
  let page: Page
  let shot = 0
  /** The deployed method's URL, from the first walk-through. */
  let invokeUrl = ''
  const pageErrors: string[] = []

  beforeAll(async () => {
    await rm(SHOTS, { recursive: true, force: true })
    await mkdir(SHOTS, { recursive: true })
    gw = await startTestGateway()
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
    // The console's CSP allows only its own scripts; axe is injected inline, so the test bypasses it.
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } })
    page = await context.newPage()
    // Short waits, so a broken step fails with its own message, not the test's timeout.
    page.setDefaultTimeout(10_000)
    page.on('dialog', (dialog) => void dialog.accept())
    page.on('pageerror', (error) => pageErrors.push(error.message))
  })

  afterAll(async () => {
    await browser?.close()
    await gw?.close()
  })

  /** Waits for the page's heading, saves a screenshot, runs axe: no serious or critical violations. */
  async function checkPage(name: string, heading: string | RegExp): Promise<void> {
    await page
      .getByRole('heading', { level: 1, name: heading })
      .waitFor()
      .catch(async (error: unknown) => {
        const said = await page.locator('#status').textContent()
        throw new Error(`${name}: no heading ${String(heading)}; the console said: ${said ?? ''}`, {
          cause: error,
        })
      })
    shot += 1
    await page.screenshot({
      path: join(SHOTS, `${String(shot).padStart(2, '0')}-${name}.png`),
      fullPage: true,
    })
    if (!(await page.evaluate('typeof window.axe !== "undefined"')))
      await page.addScriptTag({ content: AXE_SOURCE })
    const violations = await page.evaluate<unknown[]>(
      `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) })))`,
    )
    expect(violations, `${name}: accessibility violations`).toEqual([])
    expect(pageErrors, `${name}: script errors`).toEqual([])
  }

  async function status(text: string | RegExp): Promise<void> {
    await expect.poll(() => page.locator('#status').textContent(), POLL).toMatch(text)
  }

  async function deploy(stage: { existing?: string; new?: string }, description: string): Promise<void> {
    await page.getByRole('button', { name: 'Deploy API' }).click()
    const dialog = page.getByRole('dialog')
    if (stage.new) await checkPage('deploy-dialog', /./)
    if (stage.new) {
      await dialog.getByLabel('Stage', { exact: true }).selectOption('*new*')
      await dialog.getByLabel('New stage name').fill(stage.new)
    } else await dialog.getByLabel('Stage', { exact: true }).selectOption(stage.existing ?? '')
    await dialog.getByLabel('Deployment description').fill(description)
    await dialog.getByRole('button', { name: 'Deploy' }).click()
    await page.getByRole('heading', { level: 1, name: `Stage ${stage.new ?? stage.existing}` }).waitFor()
  }

  async function setResponseTemplate(body: string): Promise<void> {
    await page.getByRole('button', { name: /^Integration response/ }).click()
    const editor = page.getByRole('textbox', { name: 'Response mapping template for 200 (application/json)' })
    await editor.fill(body)
    await page.getByRole('button', { name: 'Save integration response 200' }).click()
    await status('Saved integration response 200')
  }

  it('creates an API, a MOCK method, deploys, tests, changes, redeploys and rolls back', async () => {
    await page.goto(`${gw.url}/_tollgate/console`)
    await page.waitForURL(`${gw.url}/_tollgate/console/#/apis`)
    await checkPage('apis-empty', 'APIs')
    // Keyboard: the first Tab reaches the skip link, which moves focus to the page heading.
    await page.keyboard.press('Tab')
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content')
    await page.keyboard.press('Enter')
    expect(await page.evaluate('document.activeElement.id')).toBe('page-title')

    const create = page.getByRole('form', { name: 'Create an API' })
    await create.getByLabel('Name').fill('pets')
    await create.getByRole('button', { name: 'Create API' }).click()
    await page.getByRole('heading', { level: 1, name: 'pets' }).waitFor()
    const apiId = /#\/apis\/([^/]+)\//.exec(page.url())?.[1] ?? ''
    expect(apiId).toMatch(/^[a-z0-9]{10}$/)

    const child = page.getByRole('form', { name: 'Create a child of /' })
    await child.getByLabel('Path part').fill('hello')
    await child.getByRole('button', { name: 'Create resource' }).click()
    await page.getByRole('heading', { name: 'Resource /hello' }).waitFor()
    await checkPage('resources', 'pets')

    const method = page.getByRole('form', { name: 'Create a method on /hello' })
    await method.getByLabel('HTTP method').selectOption('GET')
    await method.getByLabel('Integration type').selectOption('MOCK')
    await method.getByRole('button', { name: 'Create method' }).click()
    await checkPage('method-request', 'GET /hello')

    await setResponseTemplate('{"version": 1}')
    await checkPage('integration-response', 'GET /hello')

    await deploy({ new: 'dev' }, 'first version')
    await checkPage('stage', 'Stage dev')
    invokeUrl = `${await page.locator('#invoke-url').textContent()}hello`
    expect(invokeUrl).toBe(`${gw.url}/_aws/execute-api/${apiId}/dev/hello`)
    expect(await (await fetch(invokeUrl)).json()).toEqual({ version: 1 })

    // The Test panel: TestInvokeMethod on the method as defined now.
    await page.getByRole('link', { name: 'Resources' }).click()
    await page.getByRole('link', { name: 'GET /hello' }).click()
    await page.getByRole('button', { name: /^Test/ }).click()
    await page.getByRole('button', { name: 'Run test' }).click()
    await expect.poll(() => page.locator('#test-status').textContent(), POLL).toBe('200')
    expect(await page.locator('#test-body').textContent()).toContain('"version": 1')
    await expect
      .poll(() => page.getByLabel('Execution log').textContent(), POLL)
      .toContain('Method completed with status: 200')
    await checkPage('test-invoke', 'GET /hello')

    // Change the integration response, test it, deploy it.
    await setResponseTemplate('{"version": 2}')
    await page.getByRole('button', { name: /^Test/ }).click()
    await page.getByRole('button', { name: 'Run test' }).click()
    await expect.poll(() => page.locator('#test-body').textContent(), POLL).toContain('"version": 2')
    await deploy({ existing: 'dev' }, 'second version')
    expect(await (await fetch(invokeUrl)).json()).toEqual({ version: 2 })

    // Roll back from the history: the first deployment serves again.
    await page.getByRole('button', { name: /Roll back to this deployment: \w+ \(first version\)/ }).click()
    await status(/dev now serves deployment/)
    await page.getByRole('button', { name: /Roll back to this deployment: \w+ \(second version\)/ }).waitFor()
    await checkPage('stage-rolled-back', 'Stage dev')
    expect(await (await fetch(invokeUrl)).json()).toEqual({ version: 1 })

    await page.getByRole('link', { name: 'All APIs' }).click()
    await page.getByRole('heading', { level: 1, name: 'APIs' }).waitFor()
    await page.getByRole('link', { name: 'dev', exact: true }).waitFor()
    await checkPage('apis', 'APIs')
  })

  it('shows keys (value on demand), usage plans, functions and the live view', async () => {
    await page.goto(`${gw.url}/_tollgate/console/#/keys`)
    await checkPage('keys-empty', 'API keys')
    await page.getByLabel('Name').fill('partner')
    await page.getByRole('button', { name: 'Create API key' }).click()
    await page.getByRole('button', { name: 'Show value of partner' }).click()
    await expect.poll(() => page.locator('.secret code').textContent(), POLL).toMatch(/^[A-Za-z0-9]{40}$/)
    await checkPage('keys', 'API keys')

    await page.getByRole('link', { name: 'Usage plans' }).click()
    await checkPage('plans-empty', 'Usage plans')
    await page.getByLabel('Name').fill('gold')
    await page.getByLabel('Rate limit (requests/s)').fill('10')
    await page.getByLabel('Quota (requests)').fill('1000')
    await page.getByRole('button', { name: 'Create usage plan' }).click()
    await page.getByRole('heading', { level: 1, name: 'Usage plan gold' }).waitFor()
    await page.getByLabel('API stage').selectOption({ label: 'pets / dev' })
    await page.getByRole('button', { name: 'Add API stage' }).click()
    await status('Added the stage')
    await page.getByLabel('API key', { exact: true }).selectOption({ label: 'partner' })
    await page.getByRole('button', { name: 'Add API key' }).click()
    await status('Added the key')
    await page.getByRole('button', { name: 'Remove key partner' }).waitFor()
    await checkPage('plan', 'Usage plan gold')

    await page.getByLabel('Quota (requests)').fill('2000')
    await page.getByRole('button', { name: 'Save usage plan' }).click()
    await status('Saved the usage plan')
    const plans = (await (await fetch(`${gw.url}/usageplans`)).json()) as { item: { quota?: unknown }[] }
    expect(plans.item[0]?.quota).toMatchObject({ limit: 2000, period: 'DAY' })

    await page.getByRole('link', { name: 'Functions' }).click()
    await checkPage('functions-empty', 'Functions')
    await page.getByLabel('Function name').fill('echo')
    await page.getByLabel('Code (.zip package)').setInputFiles({
      name: 'echo.zip',
      mimeType: 'application/zip',
      buffer: Buffer.from(
        zipOf({
          'index.mjs':
            'export const handler = async (event) => { console.log("echo got " + JSON.stringify(event)); return { echoed: event } }',
        }),
      ),
    })
    await page.getByRole('button', { name: 'Create function' }).click()
    await page.getByRole('heading', { level: 1, name: 'Function echo' }).waitFor()
    await page.getByLabel('Test event (JSON)').fill('{"hello": "world"}')
    await page.getByRole('button', { name: 'Invoke', exact: true }).click()
    await expect.poll(() => page.locator('#invoke-status').textContent(), { timeout: 15_000 }).toBe('200')
    expect(await page.getByLabel('Invocation response').textContent()).toContain('"hello": "world"')
    await checkPage('function', 'Function echo')

    // An invocation from outside the browser (the SDK) shows in the recent invocations, read from
    // the function's log group with CloudWatch Logs' FilterLogEvents, with its log line.
    const lambda = lambdaClient(gw.url)
    const outside = await lambda.send(
      new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"from":"sdk"}') }),
    )
    lambda.destroy()
    const outsideId = outside.$metadata.requestId ?? ''
    expect(outsideId).toMatch(/^[0-9a-f-]{36}$/)
    await page.getByRole('button', { name: 'Refresh invocations' }).click()
    const recent = page.getByRole('table', { name: /^Recent invocations/ })
    await recent.getByRole('button', { name: `Show the log of invocation ${outsideId}` }).click()
    // The heading row, the console's invocation and the SDK's.
    await expect.poll(() => recent.getByRole('row').count(), POLL).toBe(3)
    const row = recent.getByRole('row').filter({ hasText: outsideId })
    expect(await row.textContent()).toMatch(/\d+(\.\d+)? msSucceeded$/)
    const log =
      (await page.getByRole('region', { name: 'Recent invocations' }).locator('pre.log').textContent()) ?? ''
    expect(log).toContain(`START RequestId: ${outsideId}`)
    expect(log).toContain('echo got {"from":"sdk"}')
    expect(log).toContain(`REPORT RequestId: ${outsideId}`)
    await checkPage('function-invocations', 'Function echo')

    // Traffic while the live view samples: its requests/s chart leaves zero.
    await page.getByRole('link', { name: 'Live view' }).click()
    const traffic = (async () => {
      for (let i = 0; i < 40; i++) {
        await (await fetch(invokeUrl)).text()
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    })()
    await expect
      .poll(() => page.getByRole('img', { name: /^Requests per second: latest req\/s [1-9]/ }).count(), {
        timeout: 10_000,
      })
      .toBe(1)
    await traffic
    await checkPage('live', 'Live view')
  })

  it('edits a stage (variables, settings), promotes a canary, edits the method request, integration request and method responses, shows usage, imports and deletes an API', async () => {
    const apiId = /execute-api\/([^/]+)\//.exec(invokeUrl)?.[1] ?? ''
    const stagePath = `/restapis/${apiId}/stages/dev`
    const stageNow = async (): Promise<StageJson> =>
      (await fetch(`${gw.url}${stagePath}`)).json() as Promise<StageJson>
    await page.goto(`${gw.url}/_tollgate/console/#/apis/${apiId}/stages/dev`)
    await page.getByRole('heading', { level: 1, name: 'Stage dev' }).waitFor()

    await page.getByRole('button', { name: 'Add row to Stage variables' }).click()
    await page.getByLabel('Stage variables: Name').last().fill('color')
    await page.getByLabel('Stage variables: Value').last().fill('blue')
    await page.getByRole('button', { name: 'Save stage variables' }).click()
    await status('Saved the stage variables')
    expect((await stageNow()).variables).toEqual({ color: 'blue' })

    const settings = page.getByRole('form', { name: 'Settings for every method' })
    await settings.getByLabel('Rate limit (requests/s)').fill('50')
    await settings.getByLabel('Burst limit').fill('20')
    await settings.getByLabel('Execution log level').selectOption('INFO')
    await settings.getByLabel('Detailed metrics').check()
    await settings.getByRole('button', { name: 'Save settings' }).click()
    await status('Saved the stage settings')
    expect((await stageNow()).methodSettings['*/*']).toMatchObject({
      throttlingRateLimit: 50,
      throttlingBurstLimit: 20,
      loggingLevel: 'INFO',
      metricsEnabled: true,
    })

    // A per-method override of the stage's settings.
    await page.getByLabel('Method', { exact: true }).selectOption({ label: 'GET /hello' })
    await page.getByRole('button', { name: 'Add method override' }).click()
    await status('Added an override for GET /hello')
    const override = page.getByRole('form', { name: 'Override for GET /hello' })
    await override.getByLabel('Rate limit (requests/s)').fill('5')
    await override.getByLabel('Caching enabled').check()
    await override.getByRole('button', { name: 'Save override' }).click()
    await status('Saved the override for GET /hello')
    expect((await stageNow()).methodSettings['~1hello/GET']).toMatchObject({
      throttlingRateLimit: 5,
      cachingEnabled: true,
    })
    await checkPage('stage-override', 'Stage dev')
    await page.getByRole('button', { name: 'Remove override for GET /hello' }).click()
    await status('Removed the override for GET /hello')
    expect(Object.keys((await stageNow()).methodSettings)).toEqual(['*/*'])

    await page.getByLabel('Canary traffic (%)').fill('25')
    await page.getByRole('button', { name: 'Deploy a canary' }).click()
    await status('Deployed a canary')
    await page.getByRole('button', { name: 'Promote canary' }).waitFor()
    const canaryId = (await stageNow()).canarySettings?.deploymentId
    await checkPage('stage-canary', 'Stage dev')
    await page.getByRole('button', { name: 'Promote canary' }).click()
    await status('Promoted the canary')
    const promoted = await stageNow()
    expect(promoted.deploymentId).toBe(canaryId)
    expect(promoted.canarySettings).toBeUndefined()

    // Method request, integration request and method responses, each from its box in the diagram.
    await page.getByRole('link', { name: 'Resources' }).click()
    await page.getByRole('link', { name: 'GET /hello' }).click()
    await page.getByRole('heading', { level: 1, name: 'GET /hello' }).waitFor()
    const method = async (): Promise<MethodJson> =>
      (
        await fetch(
          `${gw.url}${new URL(page.url()).hash
            .slice(1)
            .split('?')[0]
            ?.replace(/^\/apis/, '/restapis')}`,
        )
      ).json() as Promise<MethodJson>
    await page.getByRole('button', { name: /^Method request/ }).click()
    await page.getByLabel('API key required').check()
    await page.getByRole('button', { name: 'Add row to Request parameters' }).click()
    await page
      .getByLabel('Request parameters: Parameter (method.request.…)')
      .fill('method.request.querystring.name')
    await page.getByLabel('Request parameters: Required').check()
    await page.getByRole('button', { name: 'Add row to Request models' }).click()
    await page.getByLabel('Request models: Content type').fill('application/json')
    await page.getByLabel('Request models: Model').fill('Empty')
    await page.getByRole('button', { name: 'Save method request' }).click()
    await status('Saved the method request')
    expect(await method()).toMatchObject({
      apiKeyRequired: true,
      requestParameters: { 'method.request.querystring.name': true },
      requestModels: { 'application/json': 'Empty' },
    })

    await page.getByRole('button', { name: /^Integration request/ }).click()
    await page
      .getByRole('textbox', { name: 'Request mapping template (application/json)' })
      .fill('#set($n = $input.params("name"))\n{"statusCode": 200}')
    await page.getByRole('button', { name: 'Save integration request' }).click()
    await status('Saved the integration request')
    await checkPage('integration-request', 'GET /hello')
    const integration = (await method()).methodIntegration
    expect(integration.requestTemplates).toEqual({
      'application/json': '#set($n = $input.params("name"))\n{"statusCode": 200}',
    })
    // PutIntegration drops the integration responses, as on AWS; the console puts them back.
    expect(Object.keys(integration.integrationResponses ?? {})).toEqual(['200'])

    await page.getByRole('button', { name: /^Method response/ }).click()
    await page.getByLabel('New method response status code').fill('404')
    await page.getByRole('button', { name: 'Add method response' }).click()
    await status('Added method response 404')
    await page.getByRole('heading', { name: 'Method response 404' }).waitFor()
    expect(Object.keys((await method()).methodResponses ?? {}).sort()).toEqual(['200', '404'])
    await checkPage('method-responses', 'GET /hello')

    // The method now needs an API key: deploy, call it with the plan's key, see the usage chart.
    await deploy({ existing: 'dev' }, 'with an API key')
    expect((await fetch(invokeUrl)).status).toBe(403)
    const keys = (await (await fetch(`${gw.url}/apikeys?includeValues=true`)).json()) as {
      item: { name: string; value: string }[]
    }
    const partner = keys.item.find((k) => k.name === 'partner')?.value ?? ''
    const called = await fetch(invokeUrl, { headers: { 'x-api-key': partner } })
    expect(called.status).toBe(200)
    await called.text()
    await page.getByRole('link', { name: 'Usage plans' }).click()
    await page.getByRole('link', { name: 'gold' }).click()
    const today = new Date().toISOString().slice(5, 10)
    await page.getByRole('img', { name: new RegExp(`^Requests per day .*${today} 1$`) }).waitFor()

    await page.getByRole('link', { name: 'APIs', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: 'APIs' }).waitFor()
    const openApi = {
      openapi: '3.0.1',
      info: { title: 'imported', version: '1' },
      paths: {
        '/items': {
          get: {
            responses: { '200': { description: 'ok' } },
            'x-amazon-apigateway-integration': {
              type: 'mock',
              requestTemplates: { 'application/json': '{"statusCode": 200}' },
              responses: { default: { statusCode: '200' } },
            },
          },
        },
      },
    }
    await page.getByLabel('OpenAPI 2.0 or 3.0 file (JSON or YAML)').setInputFiles({
      name: 'imported.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(openApi)),
    })
    await page.getByRole('button', { name: 'Import API' }).click()
    await page.getByRole('heading', { level: 1, name: 'imported' }).waitFor()
    await page.getByRole('link', { name: 'GET /items' }).waitFor()

    await page.getByRole('link', { name: 'All APIs' }).click()
    await page.getByRole('button', { name: 'Delete API imported' }).click()
    await status('Deleted imported')
    await expect.poll(() => page.getByRole('link', { name: 'imported' }).count(), POLL).toBe(0)
  })

  it('creates a Lambda authorizer and tests it', async () => {
    const lambda = lambdaClient(gw.url)
    await createFunction(lambda, 'gatekeeper', {
      'index.mjs': `export const handler = async (event) => {
        if (event.authorizationToken !== 'allow') throw new Error('Unauthorized')
        return { principalId: 'user-1', policyDocument: { Version: '2012-10-17', Statement: [
          { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }] } }
      }`,
    })
    lambda.destroy()
    const apiId = /execute-api\/([^/]+)\//.exec(invokeUrl)?.[1] ?? ''
    await page.goto(`${gw.url}/_tollgate/console/#/apis/${apiId}/authorizers`)
    await page.getByRole('heading', { level: 1, name: 'Authorizers of pets' }).waitFor()
    const create = page.getByRole('form', { name: 'Create an authorizer' })
    await create.getByLabel('Name').fill('gate')
    await create.getByLabel('Type').selectOption('TOKEN')
    await create.getByLabel('Lambda function').selectOption({ label: 'gatekeeper' })
    await create.getByRole('button', { name: 'Create authorizer' }).click()
    await status('Created gate')
    await page.getByRole('button', { name: 'Test gate' }).click()
    await page.getByLabel('Headers (one "Name: value" per line)').fill('Authorization: allow')
    await page.getByRole('button', { name: 'Run authorizer test' }).click()
    await expect.poll(() => page.locator('#authorizer-status').textContent(), POLL).toBe('200')
    expect(await page.getByLabel('Policy').textContent()).toContain('execute-api:Invoke')
    await checkPage('authorizers', 'Authorizers of pets')
    await page.getByLabel('Headers (one "Name: value" per line)').fill('Authorization: deny')
    await page.getByRole('button', { name: 'Run authorizer test' }).click()
    await expect.poll(() => page.locator('#authorizer-status').textContent(), POLL).toBe('401')
  })

  it('says why it cannot work against a gateway started with --auth', async () => {
    const secured = await startTestGateway({ auth: true })
    try {
      await page.goto(`${secured.url}/_tollgate/console/#/apis`)
      await page.getByRole('heading', { level: 1, name: 'Something went wrong' }).waitFor()
      expect(await page.locator('main').textContent()).toContain('the console cannot sign requests yet')
    } finally {
      await secured.close()
    }
  })
})
