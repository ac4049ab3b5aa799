import { createHash } from 'node:crypto';
import type { ModelArtifact } from '../artifact/model-artifact';
import { ModelFormatError } from '../engine/errors';
import { openContainer } from './container';
import { PickleFormatError } from './pickle-error';
import { DEFAULT_PICKLE_LIMITS, unpickle, type PickleLimits } from './pickle-machine';
import { readIsolationForest } from './read-isolation-forest';

/** Limits of {@link importSklearnModel}: the pickle reader's, plus the zlib inflation cap. */
export interface SklearnImportLimits extends PickleLimits {
  /** Largest inflated size of a zlib-compressed joblib file. @default 256 MiB */
  readonly maxInflatedBytes: number;
}

/** Default {@link SklearnImportLimits}. */
export const DEFAULT_IMPORT_LIMITS: SklearnImportLimits = Object.freeze({
  ...DEFAULT_PICKLE_LIMITS,
  maxInflatedBytes: 256 * 1024 * 1024,
});

/** Options of {@link importSklearnModel}. */
export interface SklearnImportOptions {
  /** Overrides of {@link DEFAULT_IMPORT_LIMITS}. */
  readonly limits?: Partial<SklearnImportLimits>;
  /** `createdAt` of the artifact (a pickle has no timestamp). @default the time of the call */
  readonly createdAt?: string;
}

/**
 * Reads a scikit-learn `IsolationForest` saved with `pickle.dump` (protocols 2 to 5) or
 * `joblib.dump` (uncompressed or `compress=N` zlib) into a verified {@link ModelArtifact}, without
 * Python and without executing anything from the file: only allowlisted globals and the
 * data-building opcodes are interpreted (see docs/sklearn-import.md).
 *
 * The artifact's `modelVersion` (`sklearn-` + 12 hex digits) and `sha256` come from the file's
 * bytes; `formatVersion` is the pickle protocol; training quantiles and feature ranges are null
 * (a pickle does not have them).
 *
 * @throws PickleSecurityError for a refused global or opcode; PickleFormatError (a
 *   ModelFormatError) for any other unreadable, truncated, inconsistent or non-IsolationForest
 *   input. Never anything else.
 */
export function importSklearnModel(
  bytes: Uint8Array,
  options: SklearnImportOptions = {},
): ModelArtifact {
  const limits: SklearnImportLimits = { ...DEFAULT_IMPORT_LIMITS, ...options.limits };
  try {
    return importUnchecked(bytes, limits, options.createdAt ?? new Date().toISOString());
  } catch (err) {
    if (err instanceof ModelFormatError) throw err;
    // A reader bug or an engine limit (e.g. an allocation failure) must still surface as a
    // format error, never as a crash of the caller. Tests assert this path is never taken.
    throw new PickleFormatError(
      `internal reader error: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
    );
  }
}

function importUnchecked(
  bytes: Uint8Array,
  limits: SklearnImportLimits,
  createdAt: string,
): ModelArtifact {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const { pickle, compressed } = openContainer(bytes, limits.maxInflatedBytes);
  const result = unpickle(pickle, 0, limits);
  if (result.end !== pickle.length) {
    throw new PickleFormatError(
      `${pickle.length - result.end} unexpected bytes after the pickle's STOP`,
      result.end,
    );
  }
  const model = readIsolationForest(result.value, pickle.length);
  const joblib = compressed || result.joblibArrays > 0;
  return Object.freeze({
    formatVersion: result.protocol,
    modelVersion: `sklearn-${sha256.slice(0, 12)}`,
    createdAt,
    params: model.params,
    featureNames: model.featureNames === null ? null : Object.freeze([...model.featureNames]),
    nFeatures: model.forest.nFeatures,
    offset: model.offset,
    forest: Object.freeze(model.forest),
    nTrainingSamples: model.nTrainingSamples,
    trainingScoreQuantiles: null,
    featureMin: null,
    featureMax: null,
    source: Object.freeze({
      format: joblib ? ('sklearn-joblib' as const) : ('sklearn-pickle' as const),
      ...(model.sklearnVersion === undefined ? {} : { sklearnVersion: model.sklearnVersion }),
      sklearnParams: model.sklearnParams,
    }),
    sha256,
  });
}
