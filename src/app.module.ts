import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Logger } from 'pino';
import { AuthModule } from './auth/auth.module';
import { PoolPortsModule, type PoolPorts } from './cluster/pool-ports.module';
import { AllExceptionsFilter } from './http/all-exceptions.filter';
import { configModule, type AppConfig } from './config';
import { HealthModule } from './health/health.module';
import { HttpObserverMiddleware } from './http/http-observer.middleware';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { ModelModule } from './model/model.module';
import { MonitoringModule } from './model-monitoring/monitoring.module';
import { OipModule } from './oip/oip.module';
import { PredictModule } from './predict/predict.module';
import { ScoringModule } from './scoring/scoring.module';
import { TracingModule } from './tracing/tracing.module';

/** The service: configuration, logging, metrics, the model, prediction and health routes. */
@Module({})
export class AppModule {
  /**
   * The root module for `config`, logging through `logger`; `pool` when this process is a
   * worker of a pool (WORKERS > 1).
   */
  static forRoot(config: AppConfig, logger: Logger, pool?: PoolPorts): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...(pool === undefined ? [] : [PoolPortsModule.forRoot(pool)]),
        configModule(config),
        LoggingModule.forRoot(logger),
        TracingModule,
        AuthModule.forRoot(config),
        LifecycleModule,
        MetricsModule,
        ModelModule,
        ScoringModule,
        PredictModule,
        MonitoringModule,
        OipModule,
        HealthModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }, HttpObserverMiddleware],
    };
  }
}
