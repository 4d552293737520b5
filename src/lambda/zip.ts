import { createWriteStream, mkdirSync } from 'node:fs'
import { dirname, isAbsolute, join, normalize, sep } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { Entry, ZipFile } from 'yauzl'

/** Unpacked code may not exceed AWS's limit for a function's code (250 MB unzipped). */
const MAX_UNZIPPED_BYTES = 250 * 1024 * 1024

/** A zip that cannot be a function's code. */
export class InvalidZipError extends Error {}

/**
 * Unpacks a function's zip into `target`. Entries that would land outside it (`..`, absolute
 * paths) are refused, and so is a zip that inflates past 250 MB (a zip bomb).
 */
export async function unzipTo(zip: Buffer, target: string): Promise<void> {
  // Loaded by the first zip unpacked, not by every start (yauzl and the zlib it loads, ~3 ms).
  const { default: yauzl } = await import('yauzl')
  const archive = await new Promise<ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(zip, { lazyEntries: true, validateEntrySizes: true }, (error, file) =>
      error ? reject(new InvalidZipError(error.message)) : resolve(file),
    ),
  )
  let total = 0
  await new Promise<void>((resolve, reject) => {
    archive.on('error', (error: Error) => reject(new InvalidZipError(error.message)))
    archive.on('end', () => resolve())
    archive.on('entry', (entry: Entry) => {
      const name = normalize(entry.fileName)
      if (isAbsolute(name) || name.startsWith(`..${sep}`) || name === '..') {
        reject(new InvalidZipError(`zip entry outside the code directory: ${entry.fileName}`))
        return
      }
      total += entry.uncompressedSize
      if (total > MAX_UNZIPPED_BYTES) {
        reject(new InvalidZipError('Unzipped size must be smaller than 262144000 bytes'))
        return
      }
      const destination = join(target, name)
      if (entry.fileName.endsWith('/')) {
        mkdirSync(destination, { recursive: true })
        archive.readEntry()
        return
      }
      mkdirSync(dirname(destination), { recursive: true })
      archive.openReadStream(entry, (error, stream) => {
        if (error) return reject(new InvalidZipError(error.message))
        // Keep the executable bit (a `bootstrap` must stay runnable).
        const mode = (entry.externalFileAttributes >>> 16) & 0o777
        pipeline(stream, createWriteStream(destination, { mode: mode & 0o111 ? 0o755 : 0o644 })).then(
          () => archive.readEntry(),
          reject,
        )
      })
    })
    archive.readEntry()
  })
}
