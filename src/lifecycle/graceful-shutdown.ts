import type { INestApplication } from '@nestjs/common';
import type { Logger } from 'pino';
import { setTimeout as delay } from 'node:timers/promises';
import { LifecycleService } from './lifecycle.service';

/** Outcome of {@link gracefulShutdown}. */
export interface ShutdownResult {
  /** True when every in-flight request finished and the app closed within the grace period. */
  readonly clean: boolean;
  readonly elapsedMs: number;
}

/**
 * Drains and closes `app` within `graceMs`: readiness turns 503 at once (and responses ask
 * clients to close their connections), in-flight requests finish, then the server stops
 * listening and Nest's shutdown hooks run. Requests still arriving meanwhile are served; after
 * half the grace period the listener closes anyway so a steady stream cannot hold the drain open.
 */
export async function gracefulShutdown(
  app: INestApplication,
  graceMs: number,
  logger: Logger,
): Promise<ShutdownResult> {
  const started = Date.now();
  const lifecycle = app.get(LifecycleService);
  lifecycle.beginShutdown();
  logger.info(
    { inFlight: lifecycle.inFlightRequests, graceMs },
    'shutdown: readiness down, draining in-flight requests',
  );
  const cancel = new AbortController();
  const deadline = delay(graceMs, false, { signal: cancel.signal }).catch(() => false);
  const drain = async (): Promise<boolean> => {
    await Promise.race([
      lifecycle.whenIdle(),
      delay(graceMs / 2, undefined, { signal: cancel.signal }).catch(() => undefined),
    ]);
    await app.close();
    return true;
  };
  const clean = await Promise.race([drain(), deadline]);
  cancel.abort();
  const elapsedMs = Date.now() - started;
  if (clean) logger.info({ elapsedMs }, 'shutdown: drained and closed');
  else {
    logger.error(
      { elapsedMs, inFlight: lifecycle.inFlightRequests },
      'shutdown: grace period over with requests still in flight',
    );
  }
  return { clean, elapsedMs };
}
