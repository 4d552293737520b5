import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda'
import { zipSync, strToU8 } from 'fflate'

/** A Lambda SDK client pointed at a running gateway. */
export function lambdaClient(endpoint: string): LambdaClient {
  return new LambdaClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  })
}

/** Builds a zip of the given files (path -> source); `executable` files get mode 755 (a `bootstrap`). */
export function zipOf(files: Record<string, string>, executable: readonly string[] = []): Uint8Array {
  return zipSync(
    Object.fromEntries(
      Object.entries(files).map(([path, text]) => [
        path,
        executable.includes(path) ? [strToU8(text), { os: 3, attrs: (0o100755 << 16) >>> 0 }] : strToU8(text),
      ]),
    ),
  )
}

/** Creates a Node.js function from sources. */
export async function createFunction(
  client: LambdaClient,
  name: string,
  files: Record<string, string>,
  options: {
    handler?: string
    timeout?: number
    memory?: number
    env?: Record<string, string>
    runtime?: string
    executable?: string[]
  } = {},
): Promise<void> {
  await client.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: (options.runtime ?? 'nodejs20.x') as 'nodejs20.x',
      Role: 'arn:aws:iam::000000000000:role/lambda-role',
      Handler: options.handler ?? 'index.handler',
      Code: { ZipFile: zipOf(files, options.executable) },
      Timeout: options.timeout ?? 3,
      MemorySize: options.memory ?? 128,
      ...(options.env ? { Environment: { Variables: options.env } } : {}),
    }),
  )
}
