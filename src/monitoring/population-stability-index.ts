/**
 * Smallest share a bin counts with in {@link populationStabilityIndex}: an empty bin (on either
 * side) would make `ln(a / e)` infinite, so shares below it are raised to it. 1e-4 is the value
 * Evidently and most PSI write-ups use; it caps one bin's contribution at about
 * `(1 - 1e-4) * ln(1e4) ~ 9.2`.
 */
export const PSI_EPSILON = 1e-4;

/**
 * Population Stability Index of live bin counts against reference bin shares:
 * `PSI = sum_i (a_i - e_i) * ln(a_i / e_i)` with `a_i = max(live_i / sum(live), eps)` and
 * `e_i = max(reference_i, eps)`, eps = {@link PSI_EPSILON}. 0 for identical distributions;
 * the usual reading is < 0.1 no change, 0.1 to 0.25 some change, > 0.25 a large shift.
 *
 * @param liveCounts counts per bin (same length as `referenceShares`)
 * @param referenceShares training share per bin (summing to 1)
 * @param liveOffset where the counts start in `liveCounts` (for packed count arrays)
 * @returns the PSI, or NaN when there are no live counts
 */
export function populationStabilityIndex(
  liveCounts: ArrayLike<number>,
  referenceShares: ArrayLike<number>,
  liveOffset = 0,
): number {
  const bins = referenceShares.length;
  let total = 0;
  for (let i = 0; i < bins; i++) total += liveCounts[liveOffset + i];
  if (total === 0) return NaN;
  let psi = 0;
  for (let i = 0; i < bins; i++) {
    const a = Math.max(liveCounts[liveOffset + i] / total, PSI_EPSILON);
    const e = Math.max(referenceShares[i], PSI_EPSILON);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}
