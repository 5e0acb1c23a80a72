import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** One root logger per program; modules take child loggers with their own context. */
export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  return pino({
    name,
    level: process.env.LOG_LEVEL ?? 'info',
    base: { program: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...options,
  });
}
