/** One entry of `top_features`. */
export interface TopFeature {
  readonly feature: string;
  readonly shap_value: number;
  readonly log2_contribution: number;
}

/** The `explanation` member of a prediction (the contract of issue 12; see docs/explanations.md). */
export interface Explanation {
  readonly method: 'tree_shap';
  readonly feature_names: string[];
  /** Shapley values of the mean path length, in the model's column order. */
  readonly shap_values: number[];
  /** The base value E: `path_length = expected_value + sum(shap_values)`. */
  readonly expected_value: number;
  /** f(x), the mean path length the served score comes from. */
  readonly path_length: number;
  /** `-shap_values[i] / c(max_samples)`: positive raised the anomaly score. */
  readonly log2_contributions: number[];
  /** Up to EXPLAIN_TOP_K features with a non-zero value, by |shap_value| descending. */
  readonly top_features: TopFeature[];
}

/** Column names of a model: its feature names, or `x0`, `x1`, ... when it has none. */
export function explanationFeatureNames(
  featureNames: readonly string[] | null,
  nFeatures: number,
): string[] {
  return featureNames ? [...featureNames] : Array.from({ length: nFeatures }, (_, j) => `x${j}`);
}

/** One row's explanation numbers, as the engine computes them. */
export interface ExplanationInput {
  /** The row's Shapley values, in column order. */
  readonly shapValues: ArrayLike<number>;
  /** f(x). */
  readonly pathLength: number;
  /** The base value E. */
  readonly expectedValue: number;
  /** c(max_samples). */
  readonly normalizer: number;
}

/**
 * The response's `explanation` for one row. `top_features` lists the features with a non-zero
 * Shapley value, largest |shap_value| first (ties: column order), at most `topK`; a feature that
 * did not move the path length is no reason.
 */
export function explanationOf(
  e: ExplanationInput,
  featureNames: readonly string[],
  topK: number,
): Explanation {
  const F = e.shapValues.length;
  const shapValues = new Array<number>(F);
  const log2 = new Array<number>(F);
  const c = e.normalizer;
  for (let j = 0; j < F; j++) {
    const phi = e.shapValues[j];
    shapValues[j] = phi;
    log2[j] = c === 0 ? 0 : -phi / c;
  }
  const order: number[] = [];
  for (let j = 0; j < F; j++) if (shapValues[j] !== 0) order.push(j);
  order.sort((a, b) => Math.abs(shapValues[b]) - Math.abs(shapValues[a]) || a - b);
  return {
    method: 'tree_shap',
    feature_names: [...featureNames],
    shap_values: shapValues,
    expected_value: e.expectedValue,
    path_length: e.pathLength,
    log2_contributions: log2,
    top_features: order.slice(0, topK).map((j) => ({
      feature: featureNames[j],
      shap_value: shapValues[j],
      log2_contribution: log2[j],
    })),
  };
}
