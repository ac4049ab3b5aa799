import { Injectable } from '@nestjs/common';

/**
 * Process lifecycle as HTTP sees it: whether a shutdown has begun (readiness turns 503 at once)
 * and how many requests are in flight (the drain waits for them).
 */
@Injectable()
export class LifecycleService {
  private shuttingDown = false;
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  /** True once {@link beginShutdown} was called. */
  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Requests received whose responses have not finished. */
  get inFlightRequests(): number {
    return this.inFlight;
  }

  /** Marks the service as shutting down: readiness reports down from now on. */
  beginShutdown(): void {
    this.shuttingDown = true;
  }

  /** Counts a request in. */
  requestStarted(): void {
    this.inFlight++;
  }

  /** Counts a request out (exactly once per {@link requestStarted}). */
  requestFinished(): void {
    this.inFlight--;
    if (this.inFlight === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** Resolves once no request is in flight. */
  whenIdle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
