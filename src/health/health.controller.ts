import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { InfrastructureRoute } from '../auth/skip-api-key.decorator';
import { ModelHealthIndicator } from './model.health';
import { ShutdownHealthIndicator } from './shutdown.health';
import { WorkersHealthIndicator } from './workers.health';

/** Health endpoints in Terminus's format (200 `ok` / 503 `error`). */
@ApiTags('health')
@InfrastructureRoute()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly model: ModelHealthIndicator,
    private readonly shutdown: ShutdownHealthIndicator,
    private readonly workers: WorkersHealthIndicator,
  ) {}

  /** Running and every model is loaded: one indicator per model. */
  @Get()
  @HealthCheck()
  @ApiOperation({
    operationId: 'health',
    summary: 'Running with every model loaded (one indicator per model)',
  })
  check(): Promise<HealthCheckResult> {
    return this.health.check(this.model.checks());
  }

  /** The process serves HTTP (whatever the model state): the liveness probe. */
  @Get('live')
  @HealthCheck()
  @ApiOperation({ operationId: 'liveness', summary: 'Liveness: the process serves HTTP' })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /**
   * Every model is loaded and no shutdown has begun (and, with WORKERS > 1, every worker serves):
   * the readiness probe.
   */
  @Get('ready')
  @HealthCheck()
  @ApiOperation({
    operationId: 'readiness',
    summary:
      'Readiness: every model is loaded, the service is not shutting down and (WORKERS > 1) every worker serves',
  })
  ready(): Promise<HealthCheckResult> {
    const checks = [...this.model.checks(), () => this.shutdown.isHealthy('shutdown')];
    if (this.workers.applies) checks.push(() => this.workers.isHealthy('workers'));
    return this.health.check(checks);
  }
}
