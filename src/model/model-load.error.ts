import { MAX_REASON_LENGTH } from './model.constants';

/**
 * A model file could not be loaded. `reason` is safe to show to callers (no file path, no stack,
 * no library message about our internals); the `cause` keeps the original error for the log.
 */
export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';

  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH)}...` : reason,
      options,
    );
  }
}
