import { InvalidInputError } from '../engine/errors';
import type { FlatForest } from '../engine/forest';
import { assertFiniteMatrix, type DenseMatrix } from '../engine/matrix';
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
 * @param x the training rows (or any rows that stand for them)
 * @throws InvalidInputError for an empty matrix, a wrong width, non-finite values or bad options
 */
export function computeTrainingReference(
  forest: FlatForest,
  offset: number,
  x: DenseMatrix,
  options: ReferenceOptions = {},
): TrainingReference {
  const { bins, sampleRows, seed } = { ...DEFAULT_REFERENCE_OPTIONS, ...options };
  assertFiniteMatrix(x, forest.nFeatures);
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
    for (let i = 0; i < n; i++) column[i] = x.data[i * d + j];
    features.push(quantileBins(column, bins));
  }

  let sample: DenseMatrix | null = null;
  const k = Math.min(sampleRows, n);
  if (k > 0) {
    const picked = sampleWithoutReplacement(n, k, new RandomState(seed)).sort();
    const data = new Float64Array(k * d);
    for (let r = 0; r < k; r++) data.set(x.data.subarray(picked[r] * d, picked[r] * d + d), r * d);
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
