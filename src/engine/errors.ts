/**
 * Errors thrown by the engine. They are plain `Error` subclasses (never HTTP exceptions), so the
 * engine stays framework-free; adapters map them to status codes or exit codes.
 */

/** The caller passed data or options the engine cannot use (wrong shape, NaN, overflow...). */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  /**
   * @param message what is wrong, phrased for the person who sent the input
   * @param details optional location of the offending value (row, column, option name)
   */
  constructor(
    message: string,
    readonly details: {
      readonly row?: number;
      readonly column?: number;
      readonly option?: string;
    } = {},
  ) {
    super(message);
  }
}

/** A serialized model is malformed, truncated, tampered with or of an unsupported version. */
export class ModelFormatError extends Error {
  // Typed `string` so subclasses (e.g. the pickle importer's errors) can name themselves.
  override readonly name: string = 'ModelFormatError';
}

/**
 * Cheap internal invariant check with a lazily built message (the tfjs `assert` idiom).
 * Use it for conditions that indicate a bug, not for validating user input.
 */
export function assert(condition: boolean, message: () => string): asserts condition {
  if (!condition) throw new Error(`Internal invariant violated: ${message()}`);
}

/**
 * The model cannot be explained: it lacks data the explanation needs (a forest read from a
 * version-1 artifact has no `weighted_n_node_samples`). Scoring it still works.
 */
export class ExplanationUnavailableError extends Error {
  override readonly name = 'ExplanationUnavailableError';
}
