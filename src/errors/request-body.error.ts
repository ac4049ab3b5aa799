/** Why a request body could not be read. */
export type RequestBodyErrorKind =
  | 'malformed-json'
  | 'too-large'
  | 'unsupported-media-type'
  | 'unsupported-charset'
  | 'unsupported-encoding'
  | 'aborted';

/**
 * The body could not be read or parsed (before any validation). Raised by the body reader,
 * with a message fit to show the client (what is wrong, never parser internals).
 */
export class RequestBodyError extends Error {
  override readonly name = 'RequestBodyError';

  constructor(
    readonly kind: RequestBodyErrorKind,
    message: string,
  ) {
    super(message);
  }
}
