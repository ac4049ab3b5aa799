/** The serving model cannot be explained (422): its artifact lacks per-node weights. */
export class ExplanationUnavailableHttpError extends Error {
  override readonly name = 'ExplanationUnavailableHttpError';

  /** @param reason why, and how to re-export the model; safe to show to callers */
  constructor(readonly reason: string) {
    super(reason);
  }
}
