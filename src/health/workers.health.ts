import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { LifecycleService } from '../lifecycle/lifecycle.service';

/**
 * In a worker pool: up while every configured worker serves, down (with the count) while some
 * are starting or being replaced. Readiness only; a single process never reports it.
 */
@Injectable()
export class WorkersHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly lifecycle: LifecycleService,
  ) {}

  /** True in a pool worker (the indicator has something to say). */
  get applies(): boolean {
    return this.lifecycle.workers !== null;
  }

  /** The pool's health under `key`. */
  isHealthy(key: string): HealthIndicatorResult {
    const indicator = this.health.check(key);
    const workers = this.lifecycle.workers;
    if (workers === null) return indicator.up();
    const details = { serving: workers.serving, size: workers.size };
    return workers.serving >= workers.size
      ? indicator.up(details)
      : indicator.down({ ...details, reason: 'not every worker is serving' });
  }
}
