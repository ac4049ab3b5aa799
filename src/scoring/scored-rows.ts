import type { DenseMatrix } from '../engine';
import type { ServingModel } from '../model/serving-model';

/** Who asked for the scores: observers and metrics tell callers apart by it. */
export type ScoreSource = 'predict' | 'predict-batch' | 'oip' | (string & {});

/** The values of one extra output for every row: row i is `values[i * width, (i + 1) * width)`. */
export interface ExtraValues {
  readonly width: number;
  readonly values: Float64Array;
}

/**
 * The result of one scoring call, the one thing every adapter formats. scikit-learn's outputs
 * follow from `scores` and the model (see the helpers below); `extras` holds every extra output
 * that was computed, by name.
 */
export interface ScoredRows {
  readonly model: ServingModel;
  readonly source: ScoreSource;
  /** The rows as scored: row-major, in the model's column order. */
  readonly x: DenseMatrix;
  /** scikit-learn's `score_samples`, one per row. */
  readonly scores: Float64Array;
  readonly extras: ReadonlyMap<string, ExtraValues>;
}

/** scikit-learn's `decision_function` of row `i`: `score_samples - offset`. */
export function decisionAt(scored: ScoredRows, i: number): number {
  return scored.scores[i] - scored.model.artifact.offset;
}

/** scikit-learn's `predict` of row `i`: -1 for an anomaly (decision below 0), else 1. */
export function predictionAt(scored: ScoredRows, i: number): -1 | 1 {
  return scored.scores[i] - scored.model.artifact.offset < 0 ? -1 : 1;
}
