import type { IsolationForestOptions } from './options';

/**
 * `max_samples_` that scikit-learn 1.2.1's `IsolationForest.fit` derives for `n` rows: 'auto' is
 * min(256, n), a count is clipped to n, a fraction gives floor(fraction · n). Pure arithmetic:
 * `fitIsolationForest` adds the warning and the "rounds to zero rows" error; the decoders use it
 * to check a stored model against its own parameters.
 */
export function fittedMaxSamples(spec: IsolationForestOptions['maxSamples'], n: number): number {
  if (spec === 'auto') return Math.min(256, n);
  if ('count' in spec) return Math.min(spec.count, n);
  return Math.floor(spec.fraction * n);
}

/**
 * `_max_features` that `BaseBagging._fit` derives for `d` columns: a count as is, a fraction
 * floor(fraction · d), then at least 1. A count above d is the caller's error to report.
 */
export function fittedMaxFeatures(spec: IsolationForestOptions['maxFeatures'], d: number): number {
  return Math.max(1, 'count' in spec ? spec.count : Math.floor(spec.fraction * d));
}
