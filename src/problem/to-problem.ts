import { HttpException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import {
  AuthError,
  ModelNotFoundError,
  ModelReloadError,
  ModelUnavailableError,
  RequestBodyError,
  RequestValidationError,
  RouteNotFoundError,
} from '../errors';
import { ExplanationUnavailableError } from '../engine/errors';
import { ExplanationUnavailableHttpError } from '../explain/explanation-unavailable.error';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES, type ProblemDetails } from './problem-details';

/** Seconds a client should wait before retrying while no model is loaded. */
export const MODEL_UNAVAILABLE_RETRY_AFTER_S = 10;

/** Where an error happened, for the problem's `instance` and `request_id`. */
export interface ProblemContext {
  readonly instance: string;
  readonly requestId: string;
}

/** How serious an error is for the server log. */
export type ProblemLogLevel = 'debug' | 'error';

/** The HTTP response for an error: status, headers, body, and how to log it. */
export interface ErrorResponse {
  readonly status: number;
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: ProblemDetails | object;
  /** `error` for server faults (logged with the full error), `debug` for client errors. */
  readonly logLevel: ProblemLogLevel;
}

/** Titles and safe details for statuses that reach us as bare HTTP errors. */
const GENERIC: Readonly<Record<number, { title: string; detail: string }>> = {
  400: { title: 'Bad Request', detail: 'The request could not be understood.' },
  401: { title: 'Unauthorized', detail: 'Credentials are missing or invalid.' },
  403: { title: 'Forbidden', detail: 'The request is not allowed.' },
  404: { title: 'Not Found', detail: 'No resource matches the request path and method.' },
  405: { title: 'Method Not Allowed', detail: 'The method is not allowed for this resource.' },
  406: { title: 'Not Acceptable', detail: 'No acceptable representation is available.' },
  408: { title: 'Request Timeout', detail: 'The request took too long to arrive.' },
  413: { title: 'Content Too Large', detail: 'The request body is too large.' },
  415: { title: 'Unsupported Media Type', detail: 'The request body media type is not supported.' },
  429: {
    title: 'Too Many Requests',
    detail: 'Rate limit exceeded; retry after Retry-After seconds.',
  },
  500: {
    title: 'Internal Server Error',
    detail: 'An unexpected error occurred. Quote the request_id when reporting it.',
  },
  503: { title: 'Service Unavailable', detail: 'The service cannot answer right now.' },
};

const BODY_ERROR_STATUS: Readonly<Record<RequestBodyError['kind'], number>> = {
  'malformed-json': 400,
  aborted: 400,
  'too-large': 413,
  'unsupported-media-type': 415,
  'unsupported-charset': 415,
  'unsupported-encoding': 415,
};

/**
 * Maps anything thrown while serving a request to its HTTP response: a pure function, the single
 * place that decides status codes. Every error becomes an RFC 9457 problem; client errors carry
 * our own messages, and anything unrecognised becomes a generic 500 whose details only reach the
 * server log. The one exception is a failed Terminus health check, whose standard body
 * (`{status, info, error, details}`) probes and dashboards rely on: it passes through as JSON.
 */
export function toErrorResponse(error: unknown, ctx: ProblemContext): ErrorResponse {
  if (error instanceof RequestValidationError) {
    const first = error.errors[0];
    const more = error.errors.length > 1 ? ` (and ${error.errors.length - 1} more)` : '';
    return problem(400, ctx, {
      type: PROBLEM_TYPES.validation,
      title: 'Invalid request',
      detail: `${first.field} ${first.message}${more}.`,
      errors: error.errors,
    });
  }
  if (error instanceof RequestBodyError) {
    const status = BODY_ERROR_STATUS[error.kind];
    return problem(status, ctx, {
      type: error.kind === 'malformed-json' ? PROBLEM_TYPES.malformedJson : 'about:blank',
      title: error.kind === 'malformed-json' ? 'Malformed JSON' : GENERIC[status].title,
      detail: error.message,
    });
  }
  if (error instanceof ModelUnavailableError) {
    return problem(
      503,
      ctx,
      {
        type: PROBLEM_TYPES.modelUnavailable,
        title: 'Model unavailable',
        detail: `No model is loaded: ${error.reason}`,
      },
      { 'Retry-After': String(MODEL_UNAVAILABLE_RETRY_AFTER_S) },
    );
  }
  if (error instanceof ModelNotFoundError) {
    return problem(404, ctx, {
      type: PROBLEM_TYPES.modelNotFound,
      title: 'Model not found',
      detail: `The ${error.message}.`,
    });
  }
  if (error instanceof ExplanationUnavailableHttpError) {
    return problem(422, ctx, {
      type: PROBLEM_TYPES.explanationUnavailable,
      title: 'Explanation unavailable',
      detail: `${error.reason}.`,
    });
  }
  if (error instanceof ExplanationUnavailableError) {
    // The engine's own refusal, for adapters that request explanations without checking first.
    return problem(422, ctx, {
      type: PROBLEM_TYPES.explanationUnavailable,
      title: 'Explanation unavailable',
      detail:
        `This model cannot be explained: ${error.message}. Re-export it in artifact format ` +
        'version 2 (`npm run train` again, or `npm run import` the scikit-learn file again).',
    });
  }
  if (error instanceof ModelReloadError) {
    return problem(422, ctx, {
      type: PROBLEM_TYPES.modelReloadFailed,
      title: 'Model reload failed',
      detail: `${error.reason}. ${
        error.servingVersion === null
          ? 'No model is serving.'
          : `Model ${error.servingVersion} keeps serving.`
      }`,
      serving_model_version: error.servingVersion,
    });
  }
  if (error instanceof AuthError) {
    return problem(
      401,
      ctx,
      { type: PROBLEM_TYPES.unauthorized, title: 'Unauthorized', detail: error.message },
      {
        'WWW-Authenticate':
          error.scheme === 'bearer'
            ? 'Bearer realm="ml-anomaly-api-admin"'
            : 'ApiKey realm="ml-anomaly-api", header="X-API-Key"',
      },
    );
  }
  if (error instanceof RouteNotFoundError) return generic(404, ctx);
  if (error instanceof ThrottlerException) return generic(429, ctx);
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const body = error.getResponse();
    if (status === 503 && isHealthCheckResult(body)) {
      return {
        status,
        contentType: 'application/json',
        headers: {},
        body,
        logLevel: 'debug',
      };
    }
    return generic(status >= 400 && status < 500 && status in GENERIC ? status : 500, ctx);
  }
  return generic(500, ctx);
}

/**
 * The same mapping in the Open Inference Protocol's dialect (every `/v2` route): the status of
 * {@link toErrorResponse} (a refused repository load is 400, as in Triton) and the spec's body
 * `{"error": "<message>"}`, the message naming the offending element or the model.
 */
export function toOipErrorResponse(error: unknown, ctx: ProblemContext): ErrorResponse {
  const out = toErrorResponse(error, ctx);
  let message = (out.body as Partial<ProblemDetails>).detail ?? GENERIC[500].detail;
  let status = out.status;
  if (error instanceof ModelUnavailableError && error.model !== null) {
    const { name, version } = error.model;
    message = `model "${name}"${version === null ? '' : ` version ${version}`} is not ready: ${error.reason}`;
  } else if (error instanceof ModelNotFoundError) {
    message = error.message;
  } else if (error instanceof ModelReloadError) {
    status = 400;
    message = `failed to load the model: ${error.reason}`;
  }
  return {
    status,
    contentType: 'application/json',
    headers: out.headers,
    body: { error: message },
    logLevel: out.logLevel,
  };
}

function generic(status: number, ctx: ProblemContext): ErrorResponse {
  const known = GENERIC[status] ?? GENERIC[status >= 500 ? 500 : 400];
  return problem(status, ctx, { type: 'about:blank', title: known.title, detail: known.detail });
}

function problem(
  status: number,
  ctx: ProblemContext,
  fields: Omit<ProblemDetails, 'status' | 'instance' | 'request_id'>,
  headers: Readonly<Record<string, string>> = {},
): ErrorResponse {
  const body: ProblemDetails = {
    type: fields.type,
    title: fields.title,
    status,
    detail: fields.detail,
    instance: ctx.instance,
    request_id: ctx.requestId,
    ...(fields.errors ? { errors: fields.errors } : {}),
    ...(fields.serving_model_version !== undefined
      ? { serving_model_version: fields.serving_model_version }
      : {}),
  };
  return {
    status,
    contentType: PROBLEM_CONTENT_TYPE,
    headers,
    body,
    logLevel: status >= 500 ? 'error' : 'debug',
  };
}

/** A Terminus `HealthCheckResult` (`{status: 'error', info, error, details}`). */
function isHealthCheckResult(body: unknown): body is object {
  return (
    typeof body === 'object' &&
    body !== null &&
    (body as { status?: unknown }).status === 'error' &&
    typeof (body as { details?: unknown }).details === 'object'
  );
}
