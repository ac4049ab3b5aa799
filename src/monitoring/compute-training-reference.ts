import { InvalidInputError } from '../engine/errors';
import type { FlatForest } from '../engine/forest';
import { assertFiniteMatrix, assertMatrixShape, type DenseMatrix } from '../engine/matrix';
import { RandomState } from '../engine/random-state';
import { sampleWithoutReplacement } from '../engine/sample-without-replacement';
import { scoreSamples } from '../engine/score';
import { percentileScores } from './percentile-scores';
import { quantileBins } from './quantile-bins';
import type { TrainingReference } from './training-reference';

/** Options of {@link computeTrainingReference}. */
export interface ReferenceOptions {
  /**
   * Quantile bins per feature and for the score (repeated quantiles merge, so a column with
   * ties can get fewer). 10 to 20.
   * @default 10
   */
  readonly bins?: number;
  /**
   * Training rows kept for the report's decision map (fewer when there are fewer rows); 0 keeps
   * none.
   * @default 200
   */
  readonly sampleRows?: number;
  /**
   * Seed of the sample draw (numpy's RandomState: `RandomState(seed).permutation(n)[:k]` for
   * most sizes, scikit-learn's `sample_without_replacement`).
   * @default 0
   */
  readonly seed?: number;
}

/** Defaults of {@link ReferenceOptions}. */
export const DEFAULT_REFERENCE_OPTIONS: Readonly<Required<ReferenceOptions>> = Object.freeze({
  bins: 10,
  sampleRows: 200,
  seed: 0,
});

/**
 * Scores the training rows with the model and summarises what it saw: the anomaly score
 * (`-score_samples`) percentile table (resolution 0.1), the score and every feature in quantile
 * bins with their training shares, mean, std, min, max and median, the share of rows flagged
 * as anomalies, and a small seeded sample of rows for plots.
 *
 * @param forest the fitted forest
 * @param offset scikit-learn's `offset_` (a row is an anomaly when `score - offset < 0`)
 * Missing values (NaN), for a forest that accepts them (`missingGoToLeft`), are scored as the
 * model scores them and left out of their feature's bins and statistics, as `np.nanpercentile`
 * would; a feature with no value at all is an error.
 *
 * @param x the training rows (or any rows that stand for them)
 * @throws InvalidInputError for an empty matrix, a wrong width, non-finite values (NaN allowed
 *   for models that accept missing values) or bad options
 */
export function computeTrainingReference(
  forest: FlatForest,
  offset: number,
  x: DenseMatrix,
  options: ReferenceOptions = {},
): TrainingReference {
  const { bins, sampleRows, seed } = { ...DEFAULT_REFERENCE_OPTIONS, ...options };
  if (forest.missingGoToLeft === undefined) assertFiniteMatrix(x, forest.nFeatures);
  else assertMatrixShape(x, forest.nFeatures);
  if (x.rows === 0) throw new InvalidInputError('cannot compute a reference from no rows');
  if (!Number.isInteger(bins) || bins < 10 || bins > 20) {
    throw new InvalidInputError(`reference bins must be an integer in [10, 20], got ${bins}`, {
      option: 'bins',
    });
  }
  if (!Number.isInteger(sampleRows) || sampleRows < 0) {
    throw new InvalidInputError(`reference sample rows must be >= 0, got ${sampleRows}`, {
      option: 'sampleRows',
    });
  }
  const n = x.rows;
  const d = x.cols;
  const scores = scoreSamples(forest, x);
  const anomaly = new Float64Array(n);
  let flagged = 0;
  for (let i = 0; i < n; i++) {
    anomaly[i] = -scores[i];
    if (scores[i] - offset < 0) flagged++;
  }
  const score = quantileBins(anomaly, bins);
  const sortedAnomaly = anomaly.sort();

  const column = new Float64Array(n);
  const features = [];
  for (let j = 0; j < d; j++) {
    let present = 0;
    for (let i = 0; i < n; i++) {
      const v = x.data[i * d + j];
      if (!Number.isNaN(v)) column[present++] = v;
    }
    if (present === 0) {
      throw new InvalidInputError(`feature ${j} has no value in any row (all missing)`, {
        column: j,
      });
    }
    features.push(quantileBins(column.subarray(0, present), bins));
  }

  let sample: DenseMatrix | null = null;
  // The sample is drawn from the complete rows (all of them when nothing is missing), so the
  // stored points are plottable and the artifact stays finite.
  const complete: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!x.data.subarray(i * d, i * d + d).some((v) => Number.isNaN(v))) complete.push(i);
  }
  const k = Math.min(sampleRows, complete.length);
  if (k > 0) {
    const picked = sampleWithoutReplacement(complete.length, k, new RandomState(seed)).sort();
    const data = new Float64Array(k * d);
    for (let r = 0; r < k; r++) {
      const row = complete[picked[r]];
      data.set(x.data.subarray(row * d, row * d + d), r * d);
    }
    sample = Object.freeze({ data, rows: k, cols: d });
  }

  return Object.freeze({
    rows: n,
    anomalyRate: flagged / n,
    percentileScores: percentileScores(sortedAnomaly),
    score,
    features: Object.freeze(features),
    sample,
  });
}
