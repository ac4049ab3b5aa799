import { ModelFormatError } from '../engine/errors';

/**
 * A pickle or joblib file that cannot be read as a scikit-learn IsolationForest: truncated,
 * corrupt, of an unsupported layout, or holding something other than an IsolationForest.
 * `offset` is the byte offset of the offending opcode or object in the pickle stream (in the
 * inflated stream for zlib-compressed joblib files), or null when the problem is not tied to
 * one place (e.g. an empty file).
 */
export class PickleFormatError extends ModelFormatError {
  override readonly name: string = 'PickleFormatError';

  /**
   * @param message what is wrong; the byte offset is appended when known
   * @param offset byte offset of the offending opcode or object, or null
   */
  constructor(
    message: string,
    readonly offset: number | null = null,
  ) {
    super(offset === null ? message : `${message} (at byte ${offset})`);
  }
}

/**
 * The pickle asked for something the safe reader never does: a global outside the allowlist,
 * an opcode that would construct arbitrary objects or reach outside the file (INST, OBJ,
 * PERSID, EXT*, out-of-band buffers...). Nothing is ever evaluated; the read stops here.
 */
export class PickleSecurityError extends PickleFormatError {
  override readonly name: string = 'PickleSecurityError';
}
