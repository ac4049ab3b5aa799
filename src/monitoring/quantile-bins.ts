import { percentileOfSorted } from '../engine/percentile';
import type { BinnedDistribution } from './training-reference';

/**
 * Summarises values by `bins` quantile bins: interior edges at the percentiles `100 k / bins`
 * (k = 1 ... bins-1, numpy's linear method) with repeats dropped (ties can make several
 * quantiles equal), the share of values in each right-closed bin, and the mean, population std,
 * min, max and median. numpy equivalent:
 *
 * ```python
 * edges = np.unique(np.percentile(x, 100 * np.arange(1, bins) / bins))
 * shares = np.bincount(np.searchsorted(edges, x, 'left'), minlength=len(edges) + 1) / len(x)
 * ```
 *
 * @param values finite values, at least one (left untouched)
 * @param bins number of bins before repeats are dropped, 2 or more
 */
export function quantileBins(values: ArrayLike<number>, bins: number): BinnedDistribution {
  const n = values.length;
  if (n === 0) throw new RangeError('quantileBins needs at least one value');
  if (!Number.isInteger(bins) || bins < 2) throw new RangeError(`bins must be >= 2, got ${bins}`);
  const sorted = Float64Array.from(values).sort();
  const candidates: number[] = [];
  for (let k = 1; k < bins; k++) {
    const e = percentileOfSorted(sorted, (100 * k) / bins);
    if (candidates.length === 0 || e > candidates[candidates.length - 1]) candidates.push(e);
  }
  const edges = Float64Array.from(candidates);
  const counts = new Float64Array(edges.length + 1);
  // Sorted values fill the bins in order: walk both once.
  let bin = 0;
  for (let i = 0; i < n; i++) {
    while (bin < edges.length && sorted[i] > edges[bin]) bin++;
    counts[bin]++;
  }
  const proportions = counts.map((c) => c / n);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  // The rounded quotient can fall an ulp outside [min, max] (n equal values); the mean cannot.
  const mean = Math.min(sorted[n - 1], Math.max(sorted[0], sum / n));
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (sorted[i] - mean) * (sorted[i] - mean);
  return Object.freeze({
    edges,
    proportions,
    mean,
    std: Math.sqrt(squares / n),
    min: sorted[0],
    max: sorted[n - 1],
    median: percentileOfSorted(sorted, 50),
  });
}
