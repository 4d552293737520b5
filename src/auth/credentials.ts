import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import type { Credential } from './sigv4/verify.js'

/** What a key may do on the management and Lambda APIs (`--auth`). */
export type KeyScope = 'full' | 'read-only' | { apis: string[] }

export interface ConfiguredKey extends Credential {
  scope: KeyScope
}

const fileSchema = z.object({
  credentials: z
    .array(
      z.object({
        accessKeyId: z.string().min(1),
        secretAccessKey: z.string().min(1),
        userArn: z
          .string()
          .regex(/^arn:aws[\w-]*:(iam|sts)::\d{12}:.+$/)
          .optional(),
        scope: z
          .union([z.enum(['full', 'read-only']), z.object({ apis: z.array(z.string()) })])
          .default('full'),
      }),
    )
    .min(1),
})

/**
 * The access keys Tollgate accepts on SigV4-signed requests (AWS_IAM methods; every management
 * call with `--auth`): from a JSON or YAML credentials file, else one development key
 * `test` / `test` (what local AWS tooling commonly uses) owned by the account's root.
 */
export class CredentialStore {
  readonly #keys: Map<string, ConfiguredKey>
  readonly fromFile: boolean

  constructor(keys: readonly ConfiguredKey[], fromFile: boolean) {
    this.#keys = new Map(keys.map((k) => [k.accessKeyId, k]))
    this.fromFile = fromFile
  }

  static load(file: string | undefined, accountId: string): CredentialStore {
    if (!file) {
      return new CredentialStore(
        [
          {
            accessKeyId: 'test',
            secretAccessKey: 'test',
            userArn: `arn:aws:iam::${accountId}:root`,
            scope: 'full',
          },
        ],
        false,
      )
    }
    const text = readFileSync(file, 'utf8')
    const parsed = fileSchema.safeParse(file.endsWith('.json') ? JSON.parse(text) : parseYaml(text))
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new Error(`${file}: ${(issue?.path ?? []).join('.')}: ${issue?.message ?? 'invalid'}`)
    }
    return new CredentialStore(
      parsed.data.credentials.map((c) => ({
        ...c,
        userArn: c.userArn ?? `arn:aws:iam::${accountId}:user/${c.accessKeyId}`,
      })),
      true,
    )
  }

  lookup(accessKeyId: string): ConfiguredKey | undefined {
    return this.#keys.get(accessKeyId)
  }
}
