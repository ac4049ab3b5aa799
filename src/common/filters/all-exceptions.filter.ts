import { type ArgumentsHost, Catch, type ExceptionFilter, Inject } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { requestContextOf } from '../../http/request-context';
import { PINO_ROOT } from '../../logging/logging.constants';
import { toErrorResponse } from '../problem';

/**
 * The one global exception filter (registered with `APP_FILTER`): maps every error with the pure
 * {@link toErrorResponse} and writes it. Server faults are logged in full, with the request id;
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
    const out = toErrorResponse(exception, { instance: pathOf(req), requestId });
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

/** The request path without its query string. */
function pathOf(req: Request): string {
  const url = req.originalUrl ?? req.url ?? '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
