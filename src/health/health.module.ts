import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ModelModule } from '../model/model.module';
import { HealthController } from './health.controller';
import { ModelHealthIndicator } from './model.health';
import { ShutdownHealthIndicator } from './shutdown.health';
import { WorkersHealthIndicator } from './workers.health';

/**
 * `/health`, `/health/live`, `/health/ready`. Terminus's own failure logging is off: probes fail
 * every few seconds while a model is missing, and the model service already logged why once.
 */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), ModelModule],
  controllers: [HealthController],
  providers: [ModelHealthIndicator, ShutdownHealthIndicator, WorkersHealthIndicator],
})
export class HealthModule {}
