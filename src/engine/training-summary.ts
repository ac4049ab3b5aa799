import { InvalidInputError } from './errors';
import { assertFiniteMatrix, assertMatrixShape, type DenseMatrix } from './matrix';
import type { IsolationForestModel } from './model';
import { percentileOfSorted } from './percentile';
import { scoreSamples } from './score';

/** What a fitted model looks like on its training data, for the artifact and for drift checks. */
export interface TrainingSummary {
  /** Percentiles 0, 1, ..., 100 of the training `score_samples` (numpy 'linear'): 101 values. */
  readonly scoreQuantiles: Float64Array;
  /** Per-column minimum of the training data (float64, as given). */
  readonly featureMin: Float64Array;
  /** Per-column maximum of the training data (float64, as given). */
  readonly featureMax: Float64Array;
  /** Share of training rows that `predict` flags as anomalies (`decision_function < 0`). */
  readonly fractionFlagged: number;
}

/**
 * Scores the training rows with the fitted model and summarises them: the score distribution
 * at every integer percentile (`np.percentile(score_samples(X), np.arange(101))`), the column
 * ranges, and the share of rows predicted -1. With a numeric contamination c this share is close
 * to c by construction of the offset; with 'auto' it is whatever the -0.5 offset gives.
 *
 * @param x the training rows the model was fitted on (any rows with the model's columns work)
 * @throws InvalidInputError when `x` is empty, has the wrong width or non-finite values
 */
export function summarizeTraining(model: IsolationForestModel, x: DenseMatrix): TrainingSummary {
  // Missing values (NaN) are skipped by the min / max below (every comparison with NaN is false).
  if (model.forest.missingGoToLeft === undefined) assertFiniteMatrix(x, model.forest.nFeatures);
  else assertMatrixShape(x, model.forest.nFeatures);
  if (x.rows === 0) throw new InvalidInputError('cannot summarise an empty training matrix');
  const scores = scoreSamples(model.forest, x);
  let flagged = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i] - model.offset < 0) flagged++;
  const sorted = scores.sort();
  const scoreQuantiles = new Float64Array(101);
  for (let k = 0; k <= 100; k++) scoreQuantiles[k] = percentileOfSorted(sorted, k);

  const d = x.cols;
  const featureMin = new Float64Array(d).fill(Infinity);
  const featureMax = new Float64Array(d).fill(-Infinity);
  const data = x.data;
  for (let i = 0; i < x.rows; i++) {
    const base = i * d;
    for (let j = 0; j < d; j++) {
      const v = data[base + j];
      if (v < featureMin[j]) featureMin[j] = v;
      if (v > featureMax[j]) featureMax[j] = v;
    }
  }
  return Object.freeze({
    scoreQuantiles,
    featureMin,
    featureMax,
    fractionFlagged: flagged / x.rows,
  });
}
