/** No model is loaded, so nothing can be scored (503 with `Retry-After`). */
export class ModelUnavailableError extends Error {
  override readonly name = 'ModelUnavailableError';

  /** @param reason why no model is loaded, safe to show to callers (no paths, no stack) */
  constructor(readonly reason: string) {
    super(`no model is loaded: ${reason}`);
  }
}
