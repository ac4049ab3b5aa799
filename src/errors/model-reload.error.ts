/** A reload was refused; the previous model (if any) keeps serving. */
export class ModelReloadError extends Error {
  override readonly name = 'ModelReloadError';

  /**
   * @param reason why the new file was rejected, safe to show to callers
   * @param servingVersion the version still serving, or null when none is loaded
   */
  constructor(
    readonly reason: string,
    readonly servingVersion: string | null,
  ) {
    super(`model reload failed: ${reason}`);
  }
}
