import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Logger } from 'pino';
import type { AppConfig } from '../config';
import { PINO_ROOT } from '../logging/logging.constants';
import { MetricsService } from '../metrics/metrics.service';
import { ModelAdminService } from './model-admin.service';
import { ModelController } from './model.controller';
import { ModelLoader } from './model-loader';
import type { ModelPoolPort } from './model-pool';
import { ModelRegistry } from './model-registry';
import { MODEL_POOL } from './model.constants';

/**
 * The model registry. Its provider is an async factory that loads every configured model before
 * the app serves (in a pool worker: replays what the primary handed over); a missing or corrupt
 * file does not stop start-up (readiness reports why
 * instead). {@link ModelLoader} is the provider to replace for another source of model bytes.
 */
@Module({
  controllers: [ModelController],
  providers: [
    ModelLoader,
    ModelAdminService,
    {
      provide: ModelRegistry,
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
      ): Promise<ModelRegistry> => {
        const registry = new ModelRegistry(loader, config, metrics, logger, pool ?? null);
        await registry.start();
        return registry;
      },
    },
  ],
  exports: [ModelRegistry, ModelLoader, ModelAdminService],
})
export class ModelModule {}
