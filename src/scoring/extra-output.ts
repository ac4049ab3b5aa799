import type { DenseMatrix } from '../engine';
import type { ServingModel } from '../model/serving-model';

/**
 * An output computed per row beside scikit-learn's (SHAP values, a score percentile). Register it
 * with `ScoringService.addOutput` (in `onModuleInit`); the scoring service computes it chunk by
 * chunk with the scores, and every adapter returns it: the domain API as a field of each row,
 * the Open Inference Protocol as an FP64 output tensor of shape `[N]` (width 1) or `[N, width]`.
 */
export interface ExtraOutput {
  /** Field and output tensor name, e.g. `shap_values`; unique. */
  readonly name: string;
  /**
   * True to compute it on every call (and return it from every route); false to compute it only
   * when a call names it in `ScoreOptions.extras` (e.g. a request with `explain: true`).
   */
  readonly always: boolean;
  /** Values per row for `model`: 1 for a scalar, or e.g. the feature count. */
  width(model: ServingModel): number;
  /**
   * Writes the values of rows `x` (scored `scores`, scikit-learn's `score_samples`) into `out`,
   * `x.rows * width(model)` values, row after row. Must not throw for valid rows.
   */
  compute(model: ServingModel, x: DenseMatrix, scores: Float64Array, out: Float64Array): void;
}
