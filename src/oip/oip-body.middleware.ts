import { Injectable, type NestMiddleware } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '../config';
import { RequestBodyError } from '../errors';
import { hasBody, parseJsonBytes, readBodyBytes } from '../http/read-json-body';
import { INFERENCE_HEADER_CONTENT_LENGTH } from './oip.constants';

const BINARY = Symbol('oip-binary-payload');

type WithBinary = IncomingMessage & { [BINARY]?: Uint8Array };

/** The binary part of an inference request body (binary tensor data extension), or null. */
export function binaryPayloadOf(req: IncomingMessage): Uint8Array | null {
  return (req as WithBinary)[BINARY] ?? null;
}

/**
 * Reads Open Inference Protocol request bodies: JSON whatever the Content-Type (clients send none,
 * `application/json` or `application/octet-stream`; the JSON parser is the judge), or, with an
 * `Inference-Header-Content-Length` header, that many bytes of JSON followed by the tensors'
 * binary data (Triton's binary tensor data extension, which tritonclient and KServe's client use
 * by default). Same limits as the predict routes: UTF-8 JSON, uncompressed, `BODY_LIMIT` bytes.
 */
@Injectable()
export class OipBodyMiddleware implements NestMiddleware {
  private readonly limit: number;

  constructor(config: ConfigService<AppConfig, true>) {
    this.limit = config.get('http', { infer: true }).bodyLimitBytes;
  }

  /** Parses the body into `req.body` (and the binary part aside), or passes the error on. */
  use(req: Request, _res: Response, next: NextFunction): void {
    if (!hasBody(req)) {
      next();
      return;
    }
    const header = req.headers[INFERENCE_HEADER_CONTENT_LENGTH];
    readBodyBytes(req, this.limit, (err, bytes) => {
      if (err !== null) {
        next(err);
        return;
      }
      let json: Buffer = bytes!;
      if (typeof header === 'string') {
        const length = /^\d{1,10}$/.test(header) ? Number(header) : -1;
        if (length < 0 || length > json.length) {
          next(
            new RequestBodyError(
              'malformed-json',
              `Inference-Header-Content-Length must be a byte count of at most the body's ${json.length} bytes.`,
            ),
          );
          return;
        }
        (req as WithBinary)[BINARY] = json.subarray(length);
        json = json.subarray(0, length);
      }
      parseJsonBytes(json, (parseError, body) => {
        if (parseError !== null) {
          next(parseError);
          return;
        }
        req.body = body;
        next();
      });
    });
  }
}
