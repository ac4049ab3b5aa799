import type { DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import type { AppConfig } from './app.config';

/**
 * A global `ConfigModule` serving the already validated {@link AppConfig} through
 * `ConfigService<AppConfig, true>` (read it with `get('model', { infer: true })`). It never reads
 * the environment: `.env` files, `process.env` fallbacks and re-validation are all off, so the
 * object passed in (from `loadConfig()`, or a test's own) is the whole truth.
 */
export function configModule(config: AppConfig): Promise<DynamicModule> {
  return ConfigModule.forRoot({
    isGlobal: true,
    ignoreEnvFile: true,
    validatePredefined: false,
    skipProcessEnv: true,
    load: [() => ({ ...config })],
  });
}
