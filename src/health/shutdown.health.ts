import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { LifecycleService } from '../lifecycle/lifecycle.service';

/** Down once a shutdown has begun, so load balancers stop sending traffic during the drain. */
@Injectable()
export class ShutdownHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly lifecycle: LifecycleService,
  ) {}

  /** The lifecycle's health under `key`. */
  isHealthy(key: string): HealthIndicatorResult {
    const indicator = this.health.check(key);
    return this.lifecycle.isShuttingDown
      ? indicator.down({ reason: 'shutting down' })
      : indicator.up();
  }
}
