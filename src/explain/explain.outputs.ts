import { meanPathLengths, shapValuesOf, type DenseMatrix } from '../engine';
import type { ServingModel } from '../model/serving-model';
import type { ExtraOutput } from '../scoring/extra-output';

/** Name of the per-row Shapley values output (domain `explanation.shap_values`, OIP output). */
export const SHAP_VALUES_OUTPUT = 'shap_values';
/** Name of the per-row mean path length output (domain `explanation.path_length`). */
export const PATH_LENGTH_OUTPUT = 'path_length';

/**
 * `shap_values`: path-dependent TreeSHAP values of the mean path length, `nFeatures` per row in
 * column order, exactly shap's `TreeExplainer(model).shap_values` (engine `shapValuesOf`).
 * Computed only when a request asks (`explain: true`, or the OIP output `shap_values`).
 */
export const shapValuesOutput: ExtraOutput = {
  name: SHAP_VALUES_OUTPUT,
  always: false,
  width: (model: ServingModel) => model.artifact.nFeatures,
  compute(model: ServingModel, x: DenseMatrix, _scores: Float64Array, out: Float64Array): void {
    shapValuesOf(model.artifact.forest, x, out);
  },
};

/**
 * `path_length`: f(x), the mean path length over the trees (from the scorer's per-row sums, not
 * from inverting the score, which would lose bits): `score_samples = -2^(-f / c(max_samples))`.
 * Computed only when asked (with explanations).
 */
export const pathLengthOutput: ExtraOutput = {
  name: PATH_LENGTH_OUTPUT,
  always: false,
  width: () => 1,
  compute(model: ServingModel, x: DenseMatrix, _scores: Float64Array, out: Float64Array): void {
    out.set(meanPathLengths(model.artifact.forest, x));
  },
};
