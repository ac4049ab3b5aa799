import { Injectable, type NestMiddleware } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { json, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { AppConfig } from '../config';
import { RequestBodyError } from '../common/errors';

/**
 * Reads JSON request bodies for the routes it is applied to (`POST /predict*`): bodies must be
 * `application/json` in UTF-8, uncompressed and at most `BODY_LIMIT` bytes. Any JSON value parses
 * (the DTO validation then says precisely what is wrong with `null` or `[1, 2]`). body-parser's errors (whose messages quote parser internals) are replaced by
 * {@link RequestBodyError}s that the exception filter maps to 400, 413 or 415.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  private readonly parse: RequestHandler;
  private readonly limit: number;

  constructor(config: ConfigService<AppConfig, true>) {
    this.limit = config.get('http', { infer: true }).bodyLimitBytes;
    this.parse = json({ limit: this.limit, strict: false, inflate: false, type: () => true });
  }

  /** Parses the body into `req.body`, or passes a {@link RequestBodyError} on. */
  use(req: Request, res: Response, next: NextFunction): void {
    if (!hasBody(req)) {
      next();
      return;
    }
    if (!JSON_MEDIA_TYPE.test(req.headers['content-type'] ?? '')) {
      next(
        new RequestBodyError(
          'unsupported-media-type',
          'The request body must be JSON, sent with Content-Type: application/json.',
        ),
      );
      return;
    }
    this.parse(req, res, (err?: unknown) => {
      next(err === undefined ? undefined : this.translate(err));
    });
  }

  private translate(err: unknown): unknown {
    const type = (err as { type?: unknown }).type;
    switch (type) {
      case 'entity.parse.failed':
        return new RequestBodyError('malformed-json', 'The request body is not valid JSON.');
      case 'entity.too.large':
        return new RequestBodyError(
          'too-large',
          `The request body is larger than the ${this.limit}-byte limit.`,
        );
      case 'charset.unsupported':
        return new RequestBodyError('unsupported-charset', 'The request body must be UTF-8.');
      case 'encoding.unsupported':
        return new RequestBodyError(
          'unsupported-encoding',
          'Compressed request bodies are not accepted; send the JSON uncompressed.',
        );
      case 'request.aborted':
        return new RequestBodyError('aborted', 'The request body ended early.');
      case 'request.size.invalid':
        return new RequestBodyError(
          'malformed-json',
          'The request body length does not match its Content-Length.',
        );
      default:
        // Not the client's fault (stream misuse): the filter answers a generic 500 and logs it.
        return err;
    }
  }
}

/** `application/json`, with or without parameters (charset is checked by the parser). */
const JSON_MEDIA_TYPE = /^application\/json\s*(?:;|$)/i;

/** True when the request announces a non-empty body. */
function hasBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}
