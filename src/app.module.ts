import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Logger } from 'pino';
import { AuthModule } from './auth/auth.module';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter';
import { configModule, type AppConfig } from './config';
import { HealthModule } from './health/health.module';
import { HttpObserverMiddleware } from './http/http-observer.middleware';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { ModelModule } from './model/model.module';
import { PredictModule } from './predict/predict.module';
import { ScoringModule } from './scoring/scoring.module';
import { TracingModule } from './tracing/tracing.module';

/** The service: configuration, logging, metrics, the model, prediction and health routes. */
@Module({})
export class AppModule {
  /** The root module for `config`, logging through `logger`. */
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        configModule(config),
        LoggingModule.forRoot(logger),
        TracingModule,
        AuthModule.forRoot(config),
        LifecycleModule,
        MetricsModule,
        ModelModule,
        ScoringModule,
        PredictModule,
        HealthModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }, HttpObserverMiddleware],
    };
  }
}
