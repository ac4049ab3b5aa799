/**
 * The right-closed bin of `value` for interior `edges` (see `BinnedDistribution`): the number of
 * edges strictly below it, found by binary search (numpy's `searchsorted(edges, value, 'left')`).
 * A NaN lands in the last bin.
 */
export function binIndex(edges: Float64Array, value: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
