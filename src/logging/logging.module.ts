import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { PINO_ROOT } from './logging.constants';

/**
 * Structured logging: `logger` is the root of every line. nestjs-pino's `Logger` (installed as
 * Nest's logger by `createApp`) writes framework messages through it; services inject it with
 * `@Inject(PINO_ROOT)` and take a child per context. Request lines are written by the
 * `HttpObserverMiddleware`, not by pino-http: one line per request without per-request child
 * loggers or async-local storage, which measurably cost throughput (see README, Benchmarks).
 */
@Module({})
export class LoggingModule {
  /** A global module around `logger`. */
  static forRoot(logger: Logger): DynamicModule {
    return {
      module: LoggingModule,
      global: true,
      imports: [LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true, forRoutes: [] })],
      providers: [{ provide: PINO_ROOT, useValue: logger }],
      exports: [PINO_ROOT],
    };
  }
}
