import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config';

/**
 * The root pino logger: JSON lines with epoch-millisecond `time` and level names, written asynchronously
 * (off the request path) to stdout unless `destination` is given (tests capture lines
 * that way). Secrets are never logged: request headers are not serialised at all.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'ml-anomaly-api' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
