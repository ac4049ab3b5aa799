import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../config';
import { RequestTracer } from './request-tracer';

/** Provides the {@link RequestTracer} configured by the `OTEL_*` variables. */
@Global()
@Module({
  providers: [
    {
      provide: RequestTracer,
      useFactory: (config: ConfigService<AppConfig, true>) =>
        new RequestTracer(config.get('tracing', { infer: true })),
      inject: [ConfigService],
    },
  ],
  exports: [RequestTracer],
})
export class TracingModule {}
