import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { PINO_ROOT } from './logging.constants';

/**
 * Structured logging: `logger` is the root of every line. nestjs-pino's `Logger` (installed as
 * Nest's logger by `createApp`) writes framework messages through it; services inject it with
 * `@Inject(PINO_ROOT)` and take a child per context. Request lines are written by the
 * `HttpObserverMiddleware`, not by pino-http: one line per request with exactly the fields
 * operators need, without pino-http's two child loggers and req/res serialisation per request or
 * nestjs-pino's async-local storage (promise hooks on Node 20) on the hot path. The exception
 * filter and the observer put the request id on every line they write.
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
