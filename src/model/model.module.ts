import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Logger } from 'pino';
import type { AppConfig } from '../config';
import { PINO_ROOT } from '../logging/logging.constants';
import { MetricsService } from '../metrics/metrics.service';
import { ModelController } from './model.controller';
import { ModelLoader } from './model-loader';
import { ModelService } from './model.service';

/**
 * The serving model. Its provider is an async factory that loads `MODEL_PATH` before the app
 * serves; a missing or corrupt file does not stop start-up (readiness reports why instead).
 */
@Module({
  controllers: [ModelController],
  providers: [
    ModelLoader,
    {
      provide: ModelService,
      inject: [ModelLoader, ConfigService, MetricsService, PINO_ROOT],
      useFactory: async (
        loader: ModelLoader,
        config: ConfigService<AppConfig, true>,
        metrics: MetricsService,
        logger: Logger,
      ): Promise<ModelService> => {
        const service = new ModelService(loader, config, metrics, logger);
        await service.reload('startup');
        return service;
      },
    },
  ],
  exports: [ModelService],
})
export class ModelModule {}
