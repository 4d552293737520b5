import { pino, type Logger } from 'pino'
import type { TollgateConfig } from '../config/config.js'

/** The process logger: JSON lines on stdout. */
export function createLogger(config: Pick<TollgateConfig, 'logLevel'>): Logger {
  return pino({ level: config.logLevel, base: { service: 'tollgate' } })
}
