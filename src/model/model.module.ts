import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Logger } from 'pino';
import type { AppConfig } from '../config';
import { PINO_ROOT } from '../logging/logging.constants';
import { MetricsService } from '../metrics/metrics.service';
import { ModelAdminService } from './model-admin.service';
import { ModelController } from './model.controller';
import { ModelLoader } from './model-loader';
import { ModelRegistry } from './model-registry';

/**
 * The model registry. Its provider is an async factory that loads every configured model before
 * the app serves; a missing or corrupt file does not stop start-up (readiness reports why
 * instead). {@link ModelLoader} is the provider to replace for another source of model bytes.
 */
@Module({
  controllers: [ModelController],
  providers: [
    ModelLoader,
    ModelAdminService,
    {
      provide: ModelRegistry,
      inject: [ModelLoader, ConfigService, MetricsService, PINO_ROOT],
      useFactory: async (
        loader: ModelLoader,
        config: ConfigService<AppConfig, true>,
        metrics: MetricsService,
        logger: Logger,
      ): Promise<ModelRegistry> => {
        const registry = new ModelRegistry(loader, config, metrics, logger);
        await registry.loadAll('startup');
        return registry;
      },
    },
  ],
  exports: [ModelRegistry, ModelLoader],
})
export class ModelModule {}
