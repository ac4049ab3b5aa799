import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { performance } from 'node:perf_hooks';
import { LifecycleService } from '../lifecycle/lifecycle.service';
import { PINO_ROOT } from '../logging/logging.constants';
import { UNMATCHED_ROUTE } from '../metrics/metrics.constants';
import { MetricsService } from '../metrics/metrics.service';
import { RequestTracer } from '../tracing/request-tracer';
import { attachRequestContext, type RequestContext } from './request-context';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id';

/** Status recorded for requests whose client went away before the response was sent. */
const CLIENT_CLOSED = 499;

/**
 * Sees every request first and last: assigns and echoes the request id, starts the request's
 * trace span (continuing the caller's `traceparent`), counts in-flight requests for the shutdown
 * drain (and asks clients to close keep-alive connections once the drain began), and when the
 * response is done records the duration histogram, ends the span and writes the request's one
 * log line (id, trace and span ids, method, path, route, status, latency, model name and
 * version).
 *
 * One listener and one small context object per request; no child loggers.
 */
@Injectable()
export class HttpObserverMiddleware implements NestMiddleware {
  private readonly log: Logger;

  constructor(
    private readonly lifecycle: LifecycleService,
    private readonly metrics: MetricsService,
    private readonly tracer: RequestTracer,
    @Inject(PINO_ROOT) root: Logger,
  ) {
    this.log = root.child({ context: 'http' });
  }

  /** Express middleware (bound, so it can be passed to `app.use`). */
  readonly use = (req: Request, res: Response, next: NextFunction): void => {
    const started = performance.now();
    const context: RequestContext = { id: requestIdFrom(req.headers[REQUEST_ID_HEADER]) };
    const span = this.tracer.start(req.method, req.headers);
    attachRequestContext(req, context);
    res.setHeader(REQUEST_ID_HEADER, context.id);
    const lifecycle = this.lifecycle;
    lifecycle.requestStarted();
    if (lifecycle.isShuttingDown) res.setHeader('Connection', 'close');
    res.on('close', () => {
      lifecycle.requestFinished();
      const status = res.writableFinished ? res.statusCode : CLIENT_CLOSED;
      const route = routeOf(req);
      const ms = performance.now() - started;
      this.metrics.observeRequest(req.method, route, status, ms / 1000);
      if (span) {
        this.tracer.finish(span, req.method, {
          route,
          path: req.originalUrl,
          status,
          requestId: context.id,
          modelVersion: context.modelVersion,
        });
      }
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      if (this.log.isLevelEnabled(level)) {
        const ids = span?.spanContext();
        this.log[level](
          {
            reqId: context.id,
            trace_id: ids?.traceId,
            span_id: ids?.spanId,
            method: req.method,
            path: req.originalUrl,
            route,
            status,
            latency_ms: Math.round(ms * 1000) / 1000,
            model: context.modelName,
            model_version: context.modelVersion,
          },
          'request completed',
        );
      }
    });
    next();
  };
}

/** The matched route's pattern, or {@link UNMATCHED_ROUTE}. */
function routeOf(req: Request): string {
  const path: unknown = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' && !path.includes('*') ? path : UNMATCHED_ROUTE;
}
