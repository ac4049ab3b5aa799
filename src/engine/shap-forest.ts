import { averagePathLength } from './average-path-length';
import { ExplanationUnavailableError } from './errors';
import type { FlatForest } from './forest';
import { pairwiseSum } from './pairwise-sum';

/**
 * An Isolation Forest rewritten as the regression-tree ensemble that shap's `TreeExplainer`
 * explains (shap `shap/explainers/_tree.py`, the `IsolationForest` branch of `TreeEnsemble`
 * and `class IsoTree`, unchanged since shap 0.38; Lundberg et al., "From local explanations to
 * global understanding with explainable AI for trees", Nature Machine Intelligence 2, 2020).
 *
 * Per tree t of T, with n(u) = `n_node_samples`, w(u) = `weighted_n_node_samples` and d(u) the
 * depth (root 0):
 *
 * - leaf value `v(l) = (d(l) + c(n(l))) * (1 / T)`, c being scikit-learn's
 *   `_average_path_length`: the path length scikit-learn scores, correction included;
 * - internal value `v(u) = (sum of n(l) * (d(l) + c(n(l))) over the leaves l below u) / n(u) * (1 / T)`,
 *   the n-weighted mean of the leaves below, accumulated children-first as shap's
 *   `_recalculate_value` does so that the doubles are the same;
 * - cover `w(u)` (shap's `node_sample_weight`);
 * - split columns mapped through `estimators_features_` when trees see a feature subset.
 *
 * So the explained output is the mean path length f(x) = E[h(x)], linked to scikit-learn by
 * `score_samples(x) = -2^(-f(x) / c(max_samples_))`.
 *
 * `expectedValue` is shap's: the sum of the root values (numpy's pairwise sum). When covers
 * are not proportional to counts (bootstrap or `sample_weight`), the path-dependent Shapley
 * values sum to f(x) minus the cover-weighted root expectation instead; `baseValue` is then that
 * constant (see {@link ShapForest.baseValue}).
 */
export interface ShapForest {
  readonly nTrees: number;
  readonly nFeatures: number;
  /** Global id of each tree's root. */
  readonly roots: Int32Array;
  /** Depth of the deepest leaf over all trees (sizes the TreeSHAP path buffer). */
  readonly maxDepth: number;
  /** Global id of the left child (`x <= threshold`), -1 at a leaf. */
  readonly left: Int32Array;
  /** Global id of the right child, -1 at a leaf. */
  readonly right: Int32Array;
  /** Input column of the split (through `estimators_features_`), -2 at a leaf. */
  readonly column: Int32Array;
  /** Split threshold (float64), compared with float32-rounded inputs. */
  readonly threshold: Float64Array;
  /**
   * Global id of the child a missing value (NaN) takes (scikit-learn's `missing_go_to_left`,
   * shap's `children_default`), -1 at a leaf; null when the model does not accept missing
   * values (rows are then finite).
   */
  readonly missingChild: Int32Array | null;
  /** Node cover: `weighted_n_node_samples`. */
  readonly cover: Float64Array;
  /** shap's node values, already scaled by 1/T. */
  readonly value: Float64Array;
  /** shap's `TreeExplainer(model).expected_value`: the sum over trees of the root values. */
  readonly expectedValue: number;
  /** True when every node's cover equals its sample count (no bootstrap, no sample weights). */
  readonly coversAreCounts: boolean;
  /**
   * The base value that makes the explanation additive, `f(x) = baseValue + sum(phi)`:
   * `expectedValue` when `coversAreCounts`, else the cover-weighted expectation
   * `sum_t sum_leaves v(l) * w(l) / w(root_t)`, which is what `f(x) - sum(phi)` equals for every
   * row. It differs from shap's `expected_value` by a model constant (shap's own additivity
   * check tolerates 1e-2 and lets that pass).
   */
  readonly baseValue: number;
}

const cache = new WeakMap<FlatForest, ShapForest>();

/**
 * Converts (and caches per forest object) a verified forest into shap's regression trees.
 *
 * @throws ExplanationUnavailableError when the forest has no `weightedNNodeSamples` (a model
 *   read from a version-1 artifact).
 */
export function compileShapForest(forest: FlatForest): ShapForest {
  const cached = cache.get(forest);
  if (cached) return cached;
  const weights = forest.weightedNNodeSamples;
  if (weights === undefined) {
    throw new ExplanationUnavailableError(
      'the model has no weighted_n_node_samples per node (an artifact of format version 1)',
    );
  }
  const nTrees = forest.nEstimators;
  const nNodes = forest.nodeOffsets[nTrees];
  const { childrenLeft, childrenRight, nNodeSamples } = forest;
  const left = new Int32Array(nNodes);
  const right = new Int32Array(nNodes);
  const column = new Int32Array(nNodes);
  const threshold = new Float64Array(nNodes);
  const missingLeft = forest.missingGoToLeft;
  const missingChild = missingLeft === undefined ? null : new Int32Array(nNodes).fill(-1);
  const cover = Float64Array.from(weights);
  const value = new Float64Array(nNodes);
  const depth = new Int32Array(nNodes);
  const sums = new Float64Array(nNodes);
  const roots = new Int32Array(nTrees);
  const rootValues = new Float64Array(nTrees);
  const reach = new Float64Array(nNodes);
  const subset = forest.maxFeatures !== forest.nFeatures;
  const scaling = 1.0 / nTrees;
  let maxDepth = 0;
  let coversAreCounts = true;
  let baseValue = 0;
  for (let t = 0; t < nTrees; t++) {
    const base = forest.nodeOffsets[t];
    const end = forest.nodeOffsets[t + 1];
    roots[t] = base;
    // Children follow their parent, so a forward pass sets depths and a backward pass sums.
    for (let g = base; g < end; g++) {
      if (cover[g] !== nNodeSamples[g]) coversAreCounts = false;
      const l = childrenLeft[g];
      if (l < 0) {
        left[g] = -1;
        right[g] = -1;
        column[g] = -2;
        threshold[g] = -2;
        if (depth[g] > maxDepth) maxDepth = depth[g];
        continue;
      }
      const r = childrenRight[g];
      const f = forest.feature[g];
      left[g] = base + l;
      right[g] = base + r;
      column[g] = subset ? forest.treeFeatures[t * forest.maxFeatures + f] : f;
      threshold[g] = forest.threshold[g];
      if (missingLeft !== undefined && missingChild !== null) {
        missingChild[g] = missingLeft[g] === 1 ? base + l : base + r;
      }
      depth[base + l] = depth[g] + 1;
      depth[base + r] = depth[g] + 1;
    }
    for (let g = end - 1; g >= base; g--) {
      const n = nNodeSamples[g];
      if (left[g] < 0) {
        const raw = depth[g] + averagePathLength(n);
        sums[g] = raw * n;
        value[g] = raw * scaling;
      } else {
        const s = sums[left[g]] + sums[right[g]];
        sums[g] = s;
        value[g] = (s / n) * scaling;
      }
    }
    rootValues[t] = value[base];
    // Cover-weighted expectation: the product of cover ratios down to each leaf.
    reach[base] = 1;
    let expectation = 0;
    for (let g = base; g < end; g++) {
      if (left[g] < 0) {
        expectation += reach[g] * value[g];
      } else {
        reach[left[g]] = reach[g] * (cover[left[g]] / cover[g]);
        reach[right[g]] = reach[g] * (cover[right[g]] / cover[g]);
      }
    }
    baseValue += expectation;
  }
  const expectedValue = pairwiseSum(rootValues);
  const compiled: ShapForest = Object.freeze({
    nTrees,
    nFeatures: forest.nFeatures,
    roots,
    maxDepth,
    left,
    right,
    column,
    threshold,
    missingChild,
    cover,
    value,
    expectedValue,
    coversAreCounts,
    baseValue: coversAreCounts ? expectedValue : baseValue,
  });
  cache.set(forest, compiled);
  return compiled;
}
