import type { FlatForest } from '../engine/forest';
import type { IsolationForestOptions } from '../engine/options';
import type { TrainingReference } from '../monitoring/training-reference';

/** Where a served model came from. */
export type ModelSourceFormat = 'native' | 'sklearn-pickle' | 'sklearn-joblib';

/**
 * Everything the service and the CLIs know about a model, decoded and verified. The on-disk
 * format (docs/artifact-format.md) is produced by `encodeArtifact` and read by `decodeArtifact`.
 */
export interface ModelArtifact {
  /** Version of the file format (not of the model). */
  readonly formatVersion: number;
  /** Model version id: stable for the same content. */
  readonly modelVersion: string;
  /** ISO-8601 creation time. */
  readonly createdAt: string;
  /** Training options; for imported scikit-learn models, their `get_params()` mapped over. */
  readonly params: IsolationForestOptions;
  /** Column names in input order, or null when the model was trained without names. */
  readonly featureNames: readonly string[] | null;
  readonly nFeatures: number;
  /** scikit-learn's `offset_`. */
  readonly offset: number;
  readonly forest: FlatForest;
  /** Rows the model was fitted on (null when unknown, e.g. some imported models). */
  readonly nTrainingSamples: number | null;
  /** score_samples of the training data at percentiles 0, 1, ..., 100 (null when unknown). */
  readonly trainingScoreQuantiles: Float64Array | null;
  /** Per-feature min and max of the training data (null when unknown). */
  readonly featureMin: Float64Array | null;
  readonly featureMax: Float64Array | null;
  /**
   * What the training rows looked like (anomaly score percentiles, per-feature quantile bins,
   * anomaly rate, a small sample), for percentiles, drift and the report; null or absent when
   * unknown (version-1 files, scikit-learn models imported without `--reference`).
   */
  readonly reference?: TrainingReference | null;
  /** Where the model came from, and the scikit-learn version for imported models. */
  readonly source: {
    readonly format: ModelSourceFormat;
    readonly sklearnVersion?: string;
    /**
     * Imported models only: `get_params()` values exactly as pickled (floats unboxed), e.g.
     * `random_state: null`, which `params.randomState` (a number) cannot express.
     */
    readonly sklearnParams?: Readonly<Record<string, string | number | boolean | null>>;
  };
  /** sha256 (hex) of the artifact content as verified on load. */
  readonly sha256: string;
}

/**
 * What `encodeArtifact` needs: a {@link ModelArtifact} without the fields the encoder derives.
 * `formatVersion` is always the current one and `sha256` is computed; `modelVersion` is derived
 * from the content when not given (see docs/artifact-format.md).
 */
export type ArtifactInput = Omit<ModelArtifact, 'formatVersion' | 'modelVersion' | 'sha256'> & {
  /** Explicit model version id; derived from the content hash when omitted. */
  readonly modelVersion?: string;
};
