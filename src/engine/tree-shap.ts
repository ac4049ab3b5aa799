import { assert } from './errors';
import type { ShapForest } from './shap-forest';

/**
 * `RECIPROCALS[k] = 1 / k` for the path's small integers. A path holds at most depth + 2
 * elements, and Isolation Forest trees are at most ceil(log2(max_samples)) <= 31 deep.
 */
const RECIPROCALS = Float64Array.from({ length: 64 }, (_, k) => (k === 0 ? Infinity : 1 / k));

/** Deepest tree the reciprocal table serves. */
const MAX_DEPTH = 60;

/**
 * Path-dependent TreeSHAP (Lundberg, Erion & Lee, "Consistent individualized feature attribution
 * for tree ensembles", arXiv:1802.03888, 2018, Algorithm 2; Lundberg et al., "From local
 * explanations to global understanding with explainable AI for trees", Nature Machine
 * Intelligence 2, 56-67, 2020): the exact Shapley values of one tree's prediction for one row,
 * where "feature i unknown" means following both children of a split on i, weighted by their
 * covers. Cost O(L * D^2) per tree and row (L leaves, D depth).
 *
 * A port of shap's C++ core (`shap/cext/tree_shap.h`: `extend_path`, `unwind_path`,
 * `unwound_path_sum`, `tree_shap_recursive`, without the conditioning used for interaction
 * values) that keeps its order of floating-point operations, hot child before cold, so that the
 * sums agree with `TreeExplainer.shap_values` to a few ulp.
 *
 * The path is one Float64Array of 4-double elements `[feature, zeroFraction, oneFraction,
 * pweight]` (shap's `PathElement`); each recursion level owns a slice after its parent's, as in
 * shap.
 */
export class TreeShapWorkspace {
  private path: Float64Array;

  /** A workspace for forests of at most `maxDepth` levels (it grows when needed). */
  constructor(maxDepth = 16) {
    this.path = new Float64Array(pathSize(maxDepth));
  }

  /**
   * Adds tree `tree`'s Shapley values for row `x` to `phi[phiOffset + column]`.
   *
   * @param x the row, already rounded to float32 (as scoring compares it), `nFeatures` values;
   *   NaN (missing) only for a forest with `missingChild`
   */
  explainTree(
    forest: ShapForest,
    tree: number,
    x: ArrayLike<number>,
    phi: Float64Array,
    phiOffset: number,
  ): void {
    assert(forest.maxDepth <= MAX_DEPTH, () => `tree depth ${forest.maxDepth} > ${MAX_DEPTH}`);
    const need = pathSize(forest.maxDepth);
    if (this.path.length < need) this.path = new Float64Array(need);
    recurse(forest, x, phi, phiOffset, this.path, forest.roots[tree], 0, 0, 1, 1, -1);
  }
}

/** Doubles needed for the path slices of a tree of `maxDepth` levels (shap's bound). */
function pathSize(maxDepth: number): number {
  const maxd = maxDepth + 2;
  return 4 * ((maxd * (maxd + 1)) >> 1);
}

/** `tree_shap_recursive`. Offsets (`parent`, `at`) are element indices into `p` (x4 doubles). */
function recurse(
  forest: ShapForest,
  x: ArrayLike<number>,
  phi: Float64Array,
  phiOffset: number,
  p: Float64Array,
  node: number,
  uniqueDepth: number,
  parent: number,
  parentZero: number,
  parentOne: number,
  parentFeature: number,
): void {
  const at = parent + uniqueDepth + 1;
  const base = 4 * at;
  const from = 4 * parent;
  for (let i = 0, n = 4 * (uniqueDepth + 1); i < n; i++) p[base + i] = p[from + i];
  extend(p, base, uniqueDepth, parentZero, parentOne, parentFeature);

  const left = forest.left[node];
  if (left < 0) {
    const v = forest.value[node];
    for (let i = 1; i <= uniqueDepth; i++) {
      const w = unwoundSum(p, base, uniqueDepth, i);
      const e = base + 4 * i;
      const scale = w * (p[e + 2] - p[e + 1]);
      phi[phiOffset + p[e]] += scale * v;
    }
    return;
  }

  const right = forest.right[node];
  const split = forest.column[node];
  // shap's order: a missing value takes the default child, others compare with the threshold.
  const v = x[split];
  const hot =
    v !== v && forest.missingChild !== null
      ? forest.missingChild[node]
      : v <= forest.threshold[node]
        ? left
        : right;
  const cold = hot === left ? right : left;
  const cover = forest.cover;
  const w = cover[node];
  const hotZero = cover[hot] / w;
  const coldZero = cover[cold] / w;
  let incomingZero = 1;
  let incomingOne = 1;

  // A feature seen higher up the path is unwound and re-extended with the product.
  let k = 0;
  for (; k <= uniqueDepth; k++) {
    if (p[base + 4 * k] === split) break;
  }
  let depth = uniqueDepth;
  if (k !== uniqueDepth + 1) {
    incomingZero = p[base + 4 * k + 1];
    incomingOne = p[base + 4 * k + 2];
    unwind(p, base, depth, k);
    depth -= 1;
  }

  recurse(
    forest,
    x,
    phi,
    phiOffset,
    p,
    hot,
    depth + 1,
    at,
    hotZero * incomingZero,
    incomingOne,
    split,
  );
  recurse(forest, x, phi, phiOffset, p, cold, depth + 1, at, coldZero * incomingZero, 0, split);
}

/** `extend_path`: adds an element with the given fractions at `uniqueDepth` (divisions by
 * `uniqueDepth + 1` as multiplications by its reciprocal). */
function extend(
  p: Float64Array,
  base: number,
  uniqueDepth: number,
  zeroFraction: number,
  oneFraction: number,
  featureIndex: number,
): void {
  const e = base + 4 * uniqueDepth;
  p[e] = featureIndex;
  p[e + 1] = zeroFraction;
  p[e + 2] = oneFraction;
  p[e + 3] = uniqueDepth === 0 ? 1.0 : 0.0;
  const r1 = RECIPROCALS[uniqueDepth + 1];
  for (let i = uniqueDepth - 1; i >= 0; i--) {
    const q = base + 4 * i + 3;
    p[q + 4] += oneFraction * p[q] * (i + 1) * r1;
    p[q] = zeroFraction * p[q] * (uniqueDepth - i) * r1;
  }
}

/** `unwind_path`: removes element `index`, undoing its extension. */
function unwind(p: Float64Array, base: number, uniqueDepth: number, index: number): void {
  const oneFraction = p[base + 4 * index + 2];
  const zeroFraction = p[base + 4 * index + 1];
  let nextOnePortion = p[base + 4 * uniqueDepth + 3];
  const d1 = uniqueDepth + 1;
  for (let i = uniqueDepth - 1; i >= 0; --i) {
    const q = base + 4 * i + 3;
    if (oneFraction !== 0) {
      const tmp = p[q];
      p[q] = (nextOnePortion * d1) / ((i + 1) * oneFraction);
      nextOnePortion = tmp - (p[q] * zeroFraction * (uniqueDepth - i)) / d1;
    } else {
      p[q] = (p[q] * d1) / (zeroFraction * (uniqueDepth - i));
    }
  }
  for (let i = index; i < uniqueDepth; ++i) {
    const e = base + 4 * i;
    p[e] = p[e + 4];
    p[e + 1] = p[e + 5];
    p[e + 2] = p[e + 6];
  }
}

/**
 * `unwound_path_sum`: the total permutation weight if element `index` were unwound. In the
 * path-dependent algorithm one-fractions are exactly 0 or 1, so shap's division by
 * `(i + 1) * oneFraction` is a multiplication by `1 / (i + 1)`, and its divisions by
 * `zeroFraction * (uniqueDepth - i)` multiplications by two reciprocals: the hot loop of the
 * algorithm without a division (values change by an ulp or so, far below the 1e-12 the shap
 * fixtures hold them to).
 */
function unwoundSum(p: Float64Array, base: number, uniqueDepth: number, index: number): number {
  const oneFraction = p[base + 4 * index + 2];
  const zeroFraction = p[base + 4 * index + 1];
  let nextOnePortion = p[base + 4 * uniqueDepth + 3];
  let total = 0;
  if (oneFraction === 1) {
    for (let i = uniqueDepth - 1; i >= 0; --i) {
      const tmp = nextOnePortion * RECIPROCALS[i + 1];
      total += tmp;
      nextOnePortion = p[base + 4 * i + 3] - tmp * zeroFraction * (uniqueDepth - i);
    }
  } else if (oneFraction !== 0) {
    for (let i = uniqueDepth - 1; i >= 0; --i) {
      const tmp = nextOnePortion / ((i + 1) * oneFraction);
      total += tmp;
      nextOnePortion = p[base + 4 * i + 3] - tmp * zeroFraction * (uniqueDepth - i);
    }
  } else {
    const rz = 1 / zeroFraction;
    for (let i = uniqueDepth - 1; i >= 0; --i) {
      total += p[base + 4 * i + 3] * rz * RECIPROCALS[uniqueDepth - i];
    }
  }
  return total * (uniqueDepth + 1);
}
