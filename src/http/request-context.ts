import type { IncomingMessage } from 'node:http';

/** Per-request facts shared between the request observer, handlers and the exception filter. */
export interface RequestContext {
  /** Accepted `X-Request-Id` or a generated UUID; echoed in the response and every log line. */
  readonly id: string;
  /** Name of the model that served the request, when one did. */
  modelName?: string;
  /** Version id (the artifact's) of the model that served the request, when one did. */
  modelVersion?: string;
}

const CONTEXT = Symbol('request-context');

type WithContext = IncomingMessage & { [CONTEXT]?: RequestContext };

/** Attaches `context` to `req` (done once, by the request observer). */
export function attachRequestContext(req: IncomingMessage, context: RequestContext): void {
  (req as WithContext)[CONTEXT] = context;
}

/** The context attached to `req`, if the request observer saw it. */
export function requestContextOf(req: IncomingMessage): RequestContext | undefined {
  return (req as WithContext)[CONTEXT];
}

/**
 * The context of `req`; a detached one when the observer did not see it (never the case in the
 * app, where the observer is the first middleware).
 */
export function contextOf(req: IncomingMessage): RequestContext {
  return requestContextOf(req) ?? { id: '' };
}
