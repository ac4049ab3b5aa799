import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import type { PoolPorts } from './cluster/pool-ports.module';
import type { AppConfig } from './config';
import { API_HELMET_OPTIONS, DOCS_CSP_DIRECTIVES } from './http/helmet.options';
import { HttpObserverMiddleware } from './http/http-observer.middleware';
import { createLogger } from './logging/create-logger';
import { DOCS_PATH, setupSwagger } from './swagger';

/** Options of {@link createApp} beyond the configuration. */
export interface CreateAppOptions {
  /** Where log lines go (stdout, asynchronously, when omitted). */
  readonly logDestination?: DestinationStream;
  /** Set in a pool worker: how the app reaches the primary (src/cluster). */
  readonly pool?: PoolPorts;
}

/**
 * Builds the service for `config`, loading the model, without listening: `main.ts`, the e2e
 * tests and the OpenAPI generator all start here. Call `listen()` to serve.
 *
 * Express-level middleware, in order: the request observer (request id, in-flight count,
 * metrics, the request's log line), helmet (a strict CSP for the JSON API, Swagger UI's own under
 * `/docs`), then Swagger UI; Nest's router follows (JSON bodies are read only for the predict
 * routes).
 */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestExpressApplication> {
  const logger = createLogger(config.log.level, options.logDestination);
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, logger, options.pool),
    {
      bodyParser: false,
      bufferLogs: true,
      abortOnError: false,
    },
  );
  app.useLogger(app.get(NestPinoLogger));
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(app.get(HttpObserverMiddleware).use);
  app.use(helmet(API_HELMET_OPTIONS));
  app.use(
    `/${DOCS_PATH}`,
    helmet.contentSecurityPolicy({ useDefaults: false, directives: DOCS_CSP_DIRECTIVES }),
  );
  setupSwagger(app, config);
  return app;
}
