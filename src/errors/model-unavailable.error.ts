/** The model (or version) asked for is not loaded, so nothing can be scored (503 with `Retry-After`). */
export class ModelUnavailableError extends Error {
  override readonly name = 'ModelUnavailableError';

  /**
   * @param reason why it is not loaded, safe to show to callers (no paths, no stack)
   * @param model the model name and version asked for, when known
   */
  constructor(
    readonly reason: string,
    readonly model: { readonly name: string; readonly version: number | null } | null = null,
  ) {
    super(`no model is loaded: ${reason}`);
  }
}
