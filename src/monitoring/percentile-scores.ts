import { PERCENTILE_STEPS } from './training-reference';

/**
 * The percentile table of `TrainingReference.percentileScores` from the training anomaly scores
 * sorted ascending: `t_k = sorted[ceil(k n / 1000) - 1]` for k = 1 ... 1000.
 *
 * @param sortedAnomalyScores ascending, at least one value
 */
export function percentileScores(sortedAnomalyScores: Float64Array): Float64Array {
  const n = sortedAnomalyScores.length;
  if (n === 0) throw new RangeError('percentileScores needs at least one score');
  const table = new Float64Array(PERCENTILE_STEPS);
  for (let k = 1; k <= PERCENTILE_STEPS; k++) {
    // k * n is an exact integer below 2^53; the ceiling of the quotient is exact for any n here.
    table[k - 1] = sortedAnomalyScores[Math.ceil((k * n) / PERCENTILE_STEPS) - 1];
  }
  return table;
}
