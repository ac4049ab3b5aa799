/** Why a request body could not be read. */
export type RequestBodyErrorKind =
  | 'malformed-json'
  | 'too-large'
  | 'unsupported-media-type'
  | 'unsupported-charset'
  | 'unsupported-encoding'
  | 'aborted';

/**
 * The body could not be read or parsed (before any validation). Raised by the body reader in
 * place of body-parser's errors, whose messages quote library internals.
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
