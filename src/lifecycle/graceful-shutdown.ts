import type { INestApplication } from '@nestjs/common';
import type { Logger } from 'pino';
import { setTimeout as delay } from 'node:timers/promises';
import type { Server } from 'node:http';
import { LifecycleService } from './lifecycle.service';
import { stopListening } from './stop-listening';

/**
 * A drain stops listening once no request was in flight for this long (at most a quarter of
 * the grace period): load balancers that saw readiness drop have stopped sending by then, and a
 * listener closed under a client still connecting would reset its connection.
 */
export const DRAIN_QUIET_MS = 300;

/** Outcome of {@link gracefulShutdown}. */
export interface ShutdownResult {
  /** True when every in-flight request finished and the app closed within the grace period. */
  readonly clean: boolean;
  readonly elapsedMs: number;
}

/**
 * Drains and closes `app` within `graceMs`: readiness turns 503 at once (and responses ask
 * clients to close their connections), in-flight requests finish and no new one arrives for
 * {@link DRAIN_QUIET_MS}, then the server stops
 * listening without cutting a connection it already accepted ({@link stopListening}) and Nest's
 * shutdown hooks run. Requests still arriving meanwhile are served; after half the grace period
 * the listener closes anyway so a steady stream cannot hold the drain open.
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
    const quiet = new AbortController();
    await Promise.race([
      lifecycle.whenQuiet(Math.min(DRAIN_QUIET_MS, graceMs / 4), quiet.signal),
      delay(graceMs / 2, undefined, { signal: cancel.signal }).catch(() => undefined),
    ]);
    quiet.abort();
    await stopListening(app.getHttpServer() as Server);
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
