import { Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';

/** How many workers of a pool serve, out of how many configured. */
export interface WorkerCount {
  readonly serving: number;
  readonly size: number;
}

/**
 * Process lifecycle as HTTP sees it: whether a shutdown has begun (readiness turns 503 at once)
 * and how many requests are in flight (the drain waits for them); in a pool worker also how many
 * of the pool's workers serve, as the primary last said (readiness waits for all of them).
 */
@Injectable()
export class LifecycleService {
  private workerCount: WorkerCount | null = null;
  private shuttingDown = false;
  private inFlight = 0;
  private lastActivity = 0;
  private idleWaiters: (() => void)[] = [];

  /** True once {@link beginShutdown} was called. */
  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Requests received whose responses have not finished. */
  get inFlightRequests(): number {
    return this.inFlight;
  }

  /** The pool's serving workers, or null in a single process. */
  get workers(): WorkerCount | null {
    return this.workerCount;
  }

  /** Records the pool's serving workers (pool workers only, from the primary's messages). */
  setWorkers(count: WorkerCount): void {
    this.workerCount = { serving: count.serving, size: count.size };
  }

  /** Marks the service as shutting down: readiness reports down from now on. */
  beginShutdown(): void {
    this.shuttingDown = true;
  }

  /** Counts a request in. */
  requestStarted(): void {
    this.inFlight++;
    this.lastActivity = performance.now();
  }

  /** Counts a request out (exactly once per {@link requestStarted}). */
  requestFinished(): void {
    this.inFlight--;
    this.lastActivity = performance.now();
    if (this.inFlight === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /**
   * Resolves once no request has been in flight for `quietMs`: the moment a drain may stop
   * listening, because load balancers (which saw readiness drop) stopped sending.
   */
  async whenQuiet(quietMs: number, signal?: AbortSignal): Promise<void> {
    while (signal?.aborted !== true) {
      await this.whenIdle();
      const wait = this.lastActivity + quietMs - performance.now();
      if (wait <= 0 && this.inFlight === 0) return;
      await delay(Math.max(wait, 1), undefined, { signal }).catch(() => undefined);
    }
  }

  /** Resolves once no request is in flight. */
  whenIdle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
