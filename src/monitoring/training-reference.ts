import type { DenseMatrix } from '../engine/matrix';

/**
 * A distribution summarised by quantile bins: the bins the live window counts into, and what the
 * training rows looked like in them.
 *
 * Bins are right-closed: with interior edges `e[0] < e[1] < ... < e[B-2]`, bin 0 is
 * `(-inf, e[0]]`, bin `i` is `(e[i-1], e[i]]` and bin `B-1` is `(e[B-2], +inf)`, so every value
 * has a bin (numpy: `np.searchsorted(edges, x, side='left')`).
 */
export interface BinnedDistribution {
  /** Interior bin edges, strictly increasing (one fewer than the bins; empty for one bin). */
  readonly edges: Float64Array;
  /** Share of the training rows in each bin (`edges.length + 1` values summing to 1). */
  readonly proportions: Float64Array;
  /** Mean of the training values. */
  readonly mean: number;
  /** Population standard deviation (ddof 0) of the training values. */
  readonly std: number;
  readonly min: number;
  readonly max: number;
  /** Median (numpy's `percentile(x, 50)`, linear). */
  readonly median: number;
}

/**
 * What the training rows looked like to the model, stored in the artifact so the service can say
 * how unusual a score is and whether live traffic still looks like the training data. No
 * training rows are kept except the optional small {@link TrainingReference.sample}.
 */
export interface TrainingReference {
  /** Training rows the reference was computed from. */
  readonly rows: number;
  /** Share of training rows the model flags as anomalies (`decision_function < 0`). */
  readonly anomalyRate: number;
  /**
   * `percentileScores[k - 1]` (k = 1 ... 1000) is the smallest training anomaly score `t` such
   * that at least k/1000 of the training rows score at most `t` (the `ceil(k n / 1000)`-th
   * smallest). See {@link anomalyPercentile}.
   */
  readonly percentileScores: Float64Array;
  /** The training anomaly scores (`-score_samples`) in quantile bins. */
  readonly score: BinnedDistribution;
  /** Each feature's training values in quantile bins, in column order. */
  readonly features: readonly BinnedDistribution[];
  /**
   * A few training rows drawn at random (seeded), for the report's decision map; null when the
   * reference was computed with no sample (`--reference-sample 0`).
   */
  readonly sample: DenseMatrix | null;
}

/** Steps of the percentile table: 1000, so percentiles have a resolution of 0.1. */
export const PERCENTILE_STEPS = 1000;
