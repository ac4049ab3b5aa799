import { randomUUID } from 'node:crypto';

/** Header carrying the request id, in both directions. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Accepted incoming ids: 1-128 characters, starting alphanumeric, then `A-Za-z0-9._:-`. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * The id for a request: the caller's `X-Request-Id` when it is short and made of safe characters
 * (so it can be logged and echoed verbatim), else a fresh UUID.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && SAFE_ID.test(header) ? header : randomUUID();
}
