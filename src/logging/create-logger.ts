import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config';

/** Bytes of log lines gathered before one write to stdout. */
export const LOG_BUFFER_BYTES = 4096;

/** Longest a buffered line waits before it is written anyway. */
export const LOG_FLUSH_INTERVAL_MS = 1000;

/**
 * The root pino logger: JSON lines with epoch-millisecond `time` and level names. Without a
 * `destination` (tests pass one to capture lines) it writes to stdout asynchronously, off the
 * request path, gathering lines into 4 KiB writes: under load that is one write (and one
 * thread-pool round trip) per ~15 requests instead of one per request. A line waits at most
 * {@link LOG_FLUSH_INTERVAL_MS} when traffic is low, and pino flushes synchronously on exit.
 * Every line carries the process id (`pid`): with WORKERS > 1 it tells the workers apart.
 * Secrets are never logged: request headers are not serialised at all.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  let stream = destination;
  if (stream === undefined) {
    const stdout = pino.destination({ dest: 1, sync: false, minLength: LOG_BUFFER_BYTES });
    setInterval(() => stdout.flush(), LOG_FLUSH_INTERVAL_MS).unref();
    stream = stdout;
  }
  return pino(
    {
      level,
      base: { service: 'ml-anomaly-api', pid: process.pid },
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
}
