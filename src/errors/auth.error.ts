/** Which credential a request lacked. */
export type AuthScheme = 'api-key' | 'bearer';

/** Missing or wrong credentials (401 with `WWW-Authenticate`). */
export class AuthError extends Error {
  override readonly name = 'AuthError';

  constructor(
    readonly scheme: AuthScheme,
    message: string,
  ) {
    super(message);
  }
}
