/**
 * Java regular expressions as JS ones, for the subset templates use (`replaceAll`, `split`,
 * `matches`). Java's syntax is close to JS's with the `u` flag; what differs and templates meet:
 * possessive quantifiers and atomic groups (rare; refused), `\Q...\E` quoting (translated).
 */
export function javaRegex(pattern: string, flags: string): RegExp {
  const quoted = pattern.replace(/\\Q([\s\S]*?)(?:\\E|$)/g, (_, text: string) =>
    text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'),
  )
  return new RegExp(quoted, `${flags}u`)
}

/** Java replacement strings use `$1` like JS, and `\$` for a literal dollar. */
export function javaReplacement(replacement: string): string {
  return replacement.replace(/\\\$/g, '$$$$').replace(/\\\\/g, '\\')
}
