import type { RandomState } from './random-state';

/**
 * scikit-learn's `sample_without_replacement(n_population, n_samples, method='auto',
 * random_state)` (`sklearn/utils/_random.pyx`, 1.2), draw for draw, with `ratio = k / n`:
 *
 * - `0.01 < ratio < 0.99`: `random_state.permutation(n)[:k]`;
 * - `ratio <= 0.01`: tracking selection, `j = randint(n)` redrawn until unseen, output in draw
 *   order (the case of `max_samples='auto'` on more than 25,600 rows);
 * - `ratio >= 0.99`: reservoir sampling, `out = arange(k)`, then for `i` in `k..n-1`:
 *   `j = randint(0, i + 1)`, `out[j] = i` when `j < k` (so `k == n` draws nothing and returns
 *   `arange(n)`).
 *
 * @param marks optional all-zero scratch of length >= n for tracking selection (left all-zero);
 *   saves building a Set when called many times with a large n
 * @returns k distinct integers in [0, n), in scikit-learn's order.
 */
export function sampleWithoutReplacement(
  n: number,
  k: number,
  rs: RandomState,
  marks?: Uint8Array,
): Int32Array {
  if (!Number.isInteger(n) || !Number.isInteger(k) || n < 0 || k < 0 || k > n) {
    throw new RangeError(`sampleWithoutReplacement: need 0 <= k <= n, got n=${n}, k=${k}`);
  }
  const ratio = n !== 0 ? k / n : 1.0;
  if (ratio > 0.01 && ratio < 0.99) return rs.permutation(n).slice(0, k);
  if (ratio < 0.2) {
    return marks && marks.length >= n
      ? trackingWithMarks(n, k, rs, marks)
      : trackingSelection(n, k, rs);
  }
  return reservoirSampling(n, k, rs);
}

function trackingSelection(n: number, k: number, rs: RandomState): Int32Array {
  const out = new Int32Array(k);
  const selected = new Set<number>();
  for (let i = 0; i < k; i++) {
    let j = rs.randint(n);
    while (selected.has(j)) j = rs.randint(n);
    selected.add(j);
    out[i] = j;
  }
  return out;
}

function trackingWithMarks(n: number, k: number, rs: RandomState, marks: Uint8Array): Int32Array {
  const out = new Int32Array(k);
  for (let i = 0; i < k; i++) {
    let j = rs.randint(n);
    while (marks[j] !== 0) j = rs.randint(n);
    marks[j] = 1;
    out[i] = j;
  }
  for (let i = 0; i < k; i++) marks[out[i]] = 0;
  return out;
}

function reservoirSampling(n: number, k: number, rs: RandomState): Int32Array {
  const out = new Int32Array(k);
  for (let i = 0; i < k; i++) out[i] = i;
  for (let i = k; i < n; i++) {
    const j = rs.randint(0, i + 1);
    if (j < k) out[j] = i;
  }
  return out;
}
