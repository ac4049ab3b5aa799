import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Logger } from 'pino';
import type { AppConfig } from '../config';
import { PINO_ROOT } from '../logging/logging.constants';
import { MetricsService } from '../metrics/metrics.service';
import { ModelController } from './model.controller';
import { ModelLoader } from './model-loader';
import type { ModelPoolPort } from './model-pool';
import { MODEL_POOL } from './model.constants';
import { ModelService } from './model.service';

/**
 * The serving model. Its provider is an async factory that loads `MODEL_PATH` before the app
 * serves (in a pool worker: adopts the primary's hand-off); a missing or corrupt file does not
 * stop start-up (readiness reports why instead).
 */
@Module({
  controllers: [ModelController],
  providers: [
    ModelLoader,
    {
      provide: ModelService,
      inject: [
        ModelLoader,
        ConfigService,
        MetricsService,
        PINO_ROOT,
        { token: MODEL_POOL, optional: true },
      ],
      useFactory: async (
        loader: ModelLoader,
        config: ConfigService<AppConfig, true>,
        metrics: MetricsService,
        logger: Logger,
        pool: ModelPoolPort | undefined,
      ): Promise<ModelService> => {
        const service = new ModelService(loader, config, metrics, logger, pool ?? null);
        await service.start();
        return service;
      },
    },
  ],
  exports: [ModelService],
})
export class ModelModule {}
