import { Injectable, type NestMiddleware } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '../config';
import { RequestBodyError } from '../errors';
import { hasBody, readJsonBody } from './read-json-body';

/**
 * Reads JSON request bodies for the routes it is applied to (`POST /predict*`): bodies must be
 * `application/json` in UTF-8, uncompressed and at most `BODY_LIMIT` bytes. Any JSON value parses
 * (the DTO validation then says precisely what is wrong with `null` or `[1, 2]`). Every way a body
 * can be refused is a {@link RequestBodyError}, which the exception filter maps to 400, 413 or 415.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  private readonly limit: number;

  constructor(config: ConfigService<AppConfig, true>) {
    this.limit = config.get('http', { infer: true }).bodyLimitBytes;
  }

  /** Parses the body into `req.body`, or passes a {@link RequestBodyError} on. */
  use(req: Request, _res: Response, next: NextFunction): void {
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
    readJsonBody(req, this.limit, (err, body) => {
      if (err !== null) {
        next(err);
        return;
      }
      req.body = body;
      next();
    });
  }
}

/** `application/json`, with or without parameters (charset is checked by the parser). */
const JSON_MEDIA_TYPE = /^application\/json\s*(?:;|$)/i;
