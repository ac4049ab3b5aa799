import {
  BadRequestException,
  NotFoundException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import {
  AuthError,
  ModelNotFoundError,
  ModelReloadError,
  ModelUnavailableError,
  RequestBodyError,
  RequestValidationError,
  RouteNotFoundError,
} from '../../../src/errors';
import { toErrorResponse } from '../../../src/problem';
import { ExplanationUnavailableError } from '../../../src/engine/errors';
import { ExplanationUnavailableHttpError } from '../../../src/explain/explanation-unavailable.error';

const ctx = { instance: '/predict', requestId: 'req-1' };

describe('toErrorResponse', () => {
  it('maps validation errors to 400 with the field list', () => {
    const out = toErrorResponse(
      new RequestValidationError([
        { field: 'data[1]', message: 'must be a number, got a string' },
        { field: 'extra', message: 'is not an allowed property' },
      ]),
      ctx,
    );
    expect(out).toEqual({
      status: 400,
      contentType: 'application/problem+json',
      headers: {},
      logLevel: 'debug',
      body: {
        type: 'urn:ml-anomaly-api:problem:validation-error',
        title: 'Invalid request',
        status: 400,
        detail: 'data[1] must be a number, got a string (and 1 more).',
        instance: '/predict',
        request_id: 'req-1',
        errors: [
          { field: 'data[1]', message: 'must be a number, got a string' },
          { field: 'extra', message: 'is not an allowed property' },
        ],
      },
    });
  });

  it.each([
    ['malformed-json', 400, 'urn:ml-anomaly-api:problem:malformed-json'],
    ['aborted', 400, 'about:blank'],
    ['too-large', 413, 'about:blank'],
    ['unsupported-media-type', 415, 'about:blank'],
    ['unsupported-charset', 415, 'about:blank'],
    ['unsupported-encoding', 415, 'about:blank'],
  ] as const)('maps body error %s to %d', (kind, status, type) => {
    const out = toErrorResponse(new RequestBodyError(kind, 'our own words'), ctx);
    expect(out.status).toBe(status);
    expect(out.body).toMatchObject({ status, type, detail: 'our own words' });
  });

  it('maps an unknown model or version to 404', () => {
    const out = toErrorResponse(new ModelNotFoundError('cpu', 3), ctx);
    expect(out.status).toBe(404);
    expect(out.body).toMatchObject({
      type: 'urn:ml-anomaly-api:problem:model-not-found',
      title: 'Model not found',
      detail: 'The model "cpu" has no version 3.',
    });
    expect(toErrorResponse(new ModelNotFoundError('cpu'), ctx).body).toMatchObject({
      detail: 'The model "cpu" is not in the repository.',
    });
  });

  it('maps a missing model to 503 with Retry-After', () => {
    const out = toErrorResponse(
      new ModelUnavailableError('model file not found (MODEL_PATH)'),
      ctx,
    );
    expect(out.status).toBe(503);
    expect(out.headers).toEqual({ 'Retry-After': '10' });
    expect(out.body).toMatchObject({
      detail: 'No model is loaded: model file not found (MODEL_PATH)',
    });
  });

  it('maps a failed reload to 422 naming the model still serving', () => {
    const out = toErrorResponse(
      new ModelReloadError('model file is invalid: bad checksum', 'v1'),
      ctx,
    );
    expect(out.status).toBe(422);
    expect(out.body).toMatchObject({
      detail: 'model file is invalid: bad checksum. Model v1 keeps serving.',
      serving_model_version: 'v1',
    });
    const none = toErrorResponse(new ModelReloadError('x', null), ctx);
    expect(none.body).toMatchObject({
      detail: 'x. No model is serving.',
      serving_model_version: null,
    });
  });

  it('maps an explanation the model cannot give to 422 saying how to re-export', () => {
    const http = toErrorResponse(new ExplanationUnavailableHttpError('no weights; re-export'), ctx);
    expect(http.status).toBe(422);
    expect(http.body).toMatchObject({
      title: 'Explanation unavailable',
      detail: 'no weights; re-export.',
      type: 'urn:ml-anomaly-api:problem:explanation-unavailable',
    });
    const engine = toErrorResponse(new ExplanationUnavailableError('no covers'), ctx);
    expect(engine.status).toBe(422);
    expect((engine.body as { detail: string }).detail).toMatch(
      /^This model cannot be explained: no covers\. Re-export it .*npm run train/,
    );
  });

  it('maps auth errors to 401 with the right challenge', () => {
    expect(toErrorResponse(new AuthError('api-key', 'm'), ctx).headers['WWW-Authenticate']).toMatch(
      /^ApiKey /,
    );
    expect(toErrorResponse(new AuthError('bearer', 'm'), ctx).headers['WWW-Authenticate']).toMatch(
      /^Bearer /,
    );
  });

  it('answers hidden routes exactly like unknown ones', () => {
    const hidden = toErrorResponse(new RouteNotFoundError(), ctx);
    const unknown = toErrorResponse(new NotFoundException('Cannot POST /predict'), ctx);
    expect(hidden).toEqual(unknown);
    expect(JSON.stringify(unknown.body)).not.toContain('Cannot POST');
  });

  it('maps throttling to 429', () => {
    expect(toErrorResponse(new ThrottlerException(), ctx).status).toBe(429);
  });

  it('never repeats library messages of HTTP exceptions', () => {
    const out = toErrorResponse(
      new BadRequestException('Unexpected token } in JSON at position 7'),
      ctx,
    );
    expect(out.status).toBe(400);
    expect(JSON.stringify(out.body)).not.toContain('Unexpected token');
  });

  it('passes a Terminus health failure through unchanged', () => {
    const result = {
      status: 'error',
      info: {},
      error: { model: { status: 'down' } },
      details: { model: { status: 'down' } },
    };
    const out = toErrorResponse(new ServiceUnavailableException(result), ctx);
    expect(out).toMatchObject({ status: 503, contentType: 'application/json', body: result });
  });

  it('turns anything else into a generic 500 that reveals nothing', () => {
    const secret = new Error('ENOENT: /srv/app/node_modules/x/index.js at Object.<anonymous>');
    for (const error of [
      secret,
      new TypeError('x is undefined'),
      'a string',
      null,
      { status: 400 },
    ]) {
      const out = toErrorResponse(error, ctx);
      expect(out.status).toBe(500);
      expect(out.logLevel).toBe('error');
      expect(out.body).toEqual({
        type: 'about:blank',
        title: 'Internal Server Error',
        status: 500,
        detail: 'An unexpected error occurred. Quote the request_id when reporting it.',
        instance: '/predict',
        request_id: 'req-1',
      });
    }
  });
});
