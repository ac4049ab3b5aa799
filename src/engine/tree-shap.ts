import type { ShapForest } from './shap-forest';

/**
 * Path-dependent TreeSHAP (Lundberg, Erion & Lee, "Consistent individualized feature attribution
 * for tree ensembles", arXiv:1802.03888, 2018, Algorithm 2; Lundberg et al., Nature Machine
 * Intelligence 2, 56-67, 2020): the exact Shapley values of one tree's prediction for one row,
 * where "feature i unknown" means following both children of a split on i, weighted by their
 * covers. Cost O(L * D^2) per tree and row (L leaves, D depth).
 *
 * This is a line-by-line port of shap's C++ core (`shap/cext/tree_shap.h`: `extend_path`,
 * `unwind_path`, `unwound_path_sum`, `tree_shap_recursive` without the conditioning used for
 * interaction values), keeping its order of floating-point operations, hot child before cold,
 * so that the sums agree with `TreeExplainer.shap_values` to a few ulp.
 *
 * The path is kept in four parallel typed arrays (a structure of arrays instead of shap's
 * `PathElement`); each recursion level owns a slice, as in shap.
 */
export class TreeShapWorkspace {
  /** Split column of each path element (-1 for the root's placeholder). */
  private feature: Int32Array;
  /** Fraction of covers that flows down the path when the feature is unknown. */
  private zero: Float64Array;
  /** 1 when the row follows the path at this feature's splits, else 0. */
  private one: Float64Array;
  /** Permutation weight of each path element. */
  private pweight: Float64Array;
  private forest: ShapForest | null = null;
  private x: ArrayLike<number> = [];
  private phi: Float64Array = new Float64Array(0);
  private phiOffset = 0;

  /** A workspace for forests of at most `maxDepth` levels (it grows when needed). */
  constructor(maxDepth = 16) {
    const size = TreeShapWorkspace.pathSize(maxDepth);
    this.feature = new Int32Array(size);
    this.zero = new Float64Array(size);
    this.one = new Float64Array(size);
    this.pweight = new Float64Array(size);
  }

  private static pathSize(maxDepth: number): number {
    const maxd = maxDepth + 2;
    return (maxd * (maxd + 1)) >> 1;
  }

  /**
   * Adds tree `tree`'s Shapley values for row `x` to `phi[phiOffset + column]`.
   *
   * @param x the row, already rounded to float32 (as scoring compares it), `nFeatures` values
   */
  explainTree(
    forest: ShapForest,
    tree: number,
    x: ArrayLike<number>,
    phi: Float64Array,
    phiOffset: number,
  ): void {
    const need = TreeShapWorkspace.pathSize(forest.maxDepth);
    if (this.feature.length < need) {
      this.feature = new Int32Array(need);
      this.zero = new Float64Array(need);
      this.one = new Float64Array(need);
      this.pweight = new Float64Array(need);
    }
    this.forest = forest;
    this.x = x;
    this.phi = phi;
    this.phiOffset = phiOffset;
    this.recurse(forest.roots[tree], 0, 0, 1, 1, -1);
  }

  /** `tree_shap_recursive`: `parent` is the offset of the parent's path slice. */
  private recurse(
    node: number,
    uniqueDepth: number,
    parent: number,
    parentZero: number,
    parentOne: number,
    parentFeature: number,
  ): void {
    const forest = this.forest as ShapForest;
    const feature = this.feature;
    const zero = this.zero;
    const one = this.one;
    const pweight = this.pweight;
    const path = parent + uniqueDepth + 1;
    for (let i = 0; i <= uniqueDepth; i++) {
      feature[path + i] = feature[parent + i];
      zero[path + i] = zero[parent + i];
      one[path + i] = one[parent + i];
      pweight[path + i] = pweight[parent + i];
    }
    this.extend(path, uniqueDepth, parentZero, parentOne, parentFeature);

    const left = forest.left[node];
    if (left < 0) {
      const v = forest.value[node];
      const phi = this.phi;
      const offset = this.phiOffset;
      for (let i = 1; i <= uniqueDepth; i++) {
        const w = this.unwoundSum(path, uniqueDepth, i);
        const scale = w * (one[path + i] - zero[path + i]);
        phi[offset + feature[path + i]] += scale * v;
      }
      return;
    }

    const right = forest.right[node];
    const split = forest.column[node];
    const hot = this.x[split] <= forest.threshold[node] ? left : right;
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
      if (feature[path + k] === split) break;
    }
    let depth = uniqueDepth;
    if (k !== uniqueDepth + 1) {
      incomingZero = zero[path + k];
      incomingOne = one[path + k];
      this.unwind(path, depth, k);
      depth -= 1;
    }

    this.recurse(hot, depth + 1, path, hotZero * incomingZero, incomingOne, split);
    this.recurse(cold, depth + 1, path, coldZero * incomingZero, 0, split);
  }

  /** `extend_path`: adds an element with the given fractions at `uniqueDepth`. */
  private extend(
    path: number,
    uniqueDepth: number,
    zeroFraction: number,
    oneFraction: number,
    featureIndex: number,
  ): void {
    const pweight = this.pweight;
    this.feature[path + uniqueDepth] = featureIndex;
    this.zero[path + uniqueDepth] = zeroFraction;
    this.one[path + uniqueDepth] = oneFraction;
    pweight[path + uniqueDepth] = uniqueDepth === 0 ? 1.0 : 0.0;
    const d1 = uniqueDepth + 1;
    for (let i = uniqueDepth - 1; i >= 0; i--) {
      pweight[path + i + 1] += (oneFraction * pweight[path + i] * (i + 1)) / d1;
      pweight[path + i] = (zeroFraction * pweight[path + i] * (uniqueDepth - i)) / d1;
    }
  }

  /** `unwind_path`: removes element `index`, undoing its extension. */
  private unwind(path: number, uniqueDepth: number, index: number): void {
    const pweight = this.pweight;
    const feature = this.feature;
    const zero = this.zero;
    const one = this.one;
    const oneFraction = one[path + index];
    const zeroFraction = zero[path + index];
    let nextOnePortion = pweight[path + uniqueDepth];
    const d1 = uniqueDepth + 1;
    for (let i = uniqueDepth - 1; i >= 0; --i) {
      if (oneFraction !== 0) {
        const tmp = pweight[path + i];
        pweight[path + i] = (nextOnePortion * d1) / ((i + 1) * oneFraction);
        nextOnePortion = tmp - (pweight[path + i] * zeroFraction * (uniqueDepth - i)) / d1;
      } else {
        pweight[path + i] = (pweight[path + i] * d1) / (zeroFraction * (uniqueDepth - i));
      }
    }
    for (let i = index; i < uniqueDepth; ++i) {
      feature[path + i] = feature[path + i + 1];
      zero[path + i] = zero[path + i + 1];
      one[path + i] = one[path + i + 1];
    }
  }

  /** `unwound_path_sum`: the total permutation weight if element `index` were unwound. */
  private unwoundSum(path: number, uniqueDepth: number, index: number): number {
    const pweight = this.pweight;
    const oneFraction = this.one[path + index];
    const zeroFraction = this.zero[path + index];
    let nextOnePortion = pweight[path + uniqueDepth];
    let total = 0;
    if (oneFraction !== 0) {
      for (let i = uniqueDepth - 1; i >= 0; --i) {
        const tmp = nextOnePortion / ((i + 1) * oneFraction);
        total += tmp;
        nextOnePortion = pweight[path + i] - tmp * zeroFraction * (uniqueDepth - i);
      }
    } else {
      for (let i = uniqueDepth - 1; i >= 0; --i) {
        total += pweight[path + i] / (zeroFraction * (uniqueDepth - i));
      }
    }
    return total * (uniqueDepth + 1);
  }
}
