/**
 * numpy's `percentile(a, q)` with the default `method='linear'` (numpy 1.24), bit for bit:
 * with `p = q / 100`, the virtual index `v = (n - 1) * p`, `lo = floor(v)`, `g = v - lo` and
 * `a`, `b` the sorted values at `lo` and `lo + 1` (both the last one when `v >= n - 1`),
 * the result is `a + (b - a) * g`, or `b - (b - a) * (1 - g)` when `g >= 0.5` (numpy's `_lerp`).
 *
 * @param sorted ascending values (no NaN), at least one
 * @param q percentile in [0, 100]
 */
export function percentileOfSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('percentile of an empty array');
  if (!(q >= 0 && q <= 100)) throw new RangeError(`percentile must be in [0, 100], got ${q}`);
  const v = (n - 1) * (q / 100);
  let lo: number;
  let hi: number;
  let g: number;
  if (v >= n - 1) {
    // numpy indexes both neighbours with -1 here, and gamma = v - (-1).
    lo = n - 1;
    hi = n - 1;
    g = v + 1;
  } else {
    lo = Math.floor(v);
    hi = lo + 1;
    g = v - lo;
  }
  const a = sorted[lo];
  const b = sorted[hi];
  const diff = b - a;
  return g >= 0.5 ? b - diff * (1 - g) : a + diff * g;
}

/** numpy's `percentile(values, q)` ('linear'); sorts a copy, leaves `values` untouched. */
export function percentile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  return percentileOfSorted(sorted, q);
}
