import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type { AppConfig } from '../config';
import { AdminTokenGuard } from './admin-token.guard';
import { ApiKeyGuard } from './api-key.guard';
import { RateLimitGuard } from './rate-limit.guard';

/**
 * Access control. The API key and rate limit guards are global, and installed only when
 * configured, so an open service pays nothing per request for them. The admin token guard is
 * per route (`POST /model/reload`).
 */
@Module({})
export class AuthModule {
  /** Guards for `config`. */
  static forRoot(config: AppConfig): DynamicModule {
    const limits = config.rateLimit;
    const guards: Provider[] = [];
    if (config.security.apiKey !== null) guards.push({ provide: APP_GUARD, useClass: ApiKeyGuard });
    if (limits !== null) guards.push({ provide: APP_GUARD, useClass: RateLimitGuard });
    return {
      module: AuthModule,
      global: true,
      imports: [
        ThrottlerModule.forRoot({
          throttlers: [
            { name: 'default', ttl: limits?.windowMs ?? 60_000, limit: limits?.limit ?? 1 },
          ],
        }),
      ],
      providers: [AdminTokenGuard, ...guards],
      exports: [AdminTokenGuard],
    };
  }
}
