import { PERCENTILE_STEPS } from './training-reference';

/**
 * The share of training rows, in percent, whose anomaly score is at most `anomalyScore`, rounded
 * down to the table's resolution of 0.1: exactly `floor(1000 * #{i : a_i <= s} / n) / 10` for
 * the training anomaly scores `a_1 ... a_n` (the direct computation), from the 1000-value table
 * `t_k = a_(ceil(k n / 1000))` alone, because `#{a_i <= s} >= k n / 1000` holds exactly when
 * `t_k <= s`. Monotone (non-decreasing) in `anomalyScore`; 0 below every training score, 100 at
 * or above the largest. A binary search: about ten comparisons.
 *
 * @param percentileScores `TrainingReference.percentileScores` (non-decreasing, 1000 values)
 */
export function anomalyPercentile(percentileScores: Float64Array, anomalyScore: number): number {
  let lo = 0;
  let hi = percentileScores.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (percentileScores[mid] <= anomalyScore) lo = mid + 1;
    else hi = mid;
  }
  return (lo * 100) / PERCENTILE_STEPS;
}
