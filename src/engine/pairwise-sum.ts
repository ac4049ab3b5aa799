/** Blocks up to this size are summed with eight accumulators (numpy's `PW_BLOCKSIZE`). */
const BLOCK = 128;

/**
 * numpy's pairwise summation of a float64 vector, bit for bit (`pairwise_sum` in numpy's
 * `loops_utils.h.src`: eight interleaved partial sums per block of at most 128 values, blocks
 * halved recursively at multiples of 8). shap's `expected_value` is
 * `values[:, 0].sum(0)` over a (trees, 1) array, which numpy adds this way from a zero
 * accumulator, so reproducing the order reproduces the double (checked against numpy 1.26 in
 * the shap fixtures).
 *
 * Returns 0 for an empty vector.
 */
export function pairwiseSum(values: Float64Array): number {
  return pairwise(values, 0, values.length);
}

function pairwise(a: Float64Array, start: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i];
    return res;
  }
  if (n <= BLOCK) {
    const r = new Float64Array(8);
    for (let j = 0; j < 8; j++) r[j] = a[start + j];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] += a[start + i + j];
    }
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwise(a, start, n2) + pairwise(a, start + n2, n - n2);
}
