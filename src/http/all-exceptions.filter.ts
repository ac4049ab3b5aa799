import { type ArgumentsHost, Catch, type ExceptionFilter, Inject } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { requestContextOf } from './request-context';
import { PINO_ROOT } from '../logging/logging.constants';
import { toErrorResponse, toOipErrorResponse } from '../problem';

/**
 * The one global exception filter (registered with `APP_FILTER`): maps every error with the pure
 * {@link toErrorResponse} (RFC 9457 problems), or {@link toOipErrorResponse} under `/v2` (the
 * Open Inference Protocol's `{"error"}` bodies), and writes it. Server faults are logged in full, with the request id;
 * client errors at debug level. A response already under way is cut off rather than corrupted.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly log: Logger;

  constructor(@Inject(PINO_ROOT) root: Logger) {
    this.log = root.child({ context: AllExceptionsFilter.name });
  }

  /** Answers the failed request. */
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const requestId = requestContextOf(req)?.id ?? '';
    const instance = pathOf(req);
    const map = isOipPath(instance) ? toOipErrorResponse : toErrorResponse;
    const out = map(exception, { instance, requestId });
    if (out.logLevel === 'error') {
      this.log.error({ reqId: requestId, err: exception }, 'request failed unexpectedly');
    } else if (this.log.isLevelEnabled('debug')) {
      this.log.debug({ reqId: requestId, err: exception }, 'request rejected');
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(out.status);
    for (const [name, value] of Object.entries(out.headers)) res.setHeader(name, value);
    res.setHeader('Content-Type', `${out.contentType}; charset=utf-8`);
    res.end(JSON.stringify(out.body));
  }
}

/** True for the Open Inference Protocol's routes (`/v2`, `/v2/...`), which answer `{"error"}`. */
function isOipPath(path: string): boolean {
  return path === '/v2' || path.startsWith('/v2/');
}

/** The request path without its query string. */
function pathOf(req: Request): string {
  const url = req.originalUrl ?? req.url ?? '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
