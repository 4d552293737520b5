import { isIPv4, isIPv6 } from 'node:net'

/**
 * The `format` values of draft 4 that API Gateway's validator (the Java json-schema-validator,
 * whose draft 4 library checks date-time, email, hostname, ipv4, ipv6, regex and uri) enforces.
 * Other formats are ignored, as there. The checks approximate the Java ones (Joda-Time patterns,
 * javax.mail, Guava's InternetDomainName, java.net.URI); they are pure predicates.
 */
export const DRAFT4_FORMATS: Readonly<Record<string, (value: string) => boolean>> = {
  'date-time': isDateTime,
  email: (value) => /^[^\s@]+@[^\s@]+$/.test(value),
  hostname: isHostname,
  ipv4: (value) => isIPv4(value),
  ipv6: (value) => isIPv6(value),
  regex: isRegex,
  uri: isUri,
}

/** `yyyy-MM-dd'T'HH:mm:ssZ` or with 1 to 12 fraction digits, as the Java validator accepts. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,12})?(?:Z|[+-]\d{2}:?\d{2})$/

function isDateTime(value: string): boolean {
  const parts = DATE_TIME.exec(value)
  if (!parts) return false
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = parts.slice(1, 7).map(Number)
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate()
  return (
    month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59
  )
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i

function isHostname(value: string): boolean {
  const name = value.endsWith('.') ? value.slice(0, -1) : value
  if (name === '' || name.length > 253) return false
  const labels = name.split('.')
  // Like Guava's InternetDomainName, the last label may not be all digits.
  return labels.every((label) => LABEL.test(label)) && !/^\d+$/.test(labels.at(-1) ?? '')
}

function isRegex(value: string): boolean {
  try {
    new RegExp(value)
    return true
  } catch {
    return false
  }
}

/** A URI reference as java.net.URI parses it: allowed characters only, well-formed escapes. */
const URI_REFERENCE = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/

function isUri(value: string): boolean {
  if (!URI_REFERENCE.test(value)) return false
  const scheme = /^([^:/?#]+):/.exec(value)?.[1]
  return scheme === undefined || /^[A-Za-z][A-Za-z0-9+.-]*$/.test(scheme)
}
