import { averagePathLength } from './average-path-length';
import type { FlatForest } from './forest';

/**
 * A forest rearranged for branch-free traversal. Derived data only; built once per forest.
 *
 * - Node ids are global (tree t's nodes follow tree t-1's).
 * - `kids[2g]` / `kids[2g + 1]` are the left / right children of node g. A leaf points to
 *   itself on both sides and has threshold +Infinity, so `x > threshold` is false there and a
 *   walk that reaches a leaf stays on it: every row of tree t can take exactly `depths[t]`
 *   steps, `g = kids[2g + (x[column[g]] > threshold[g])]`, with no leaf test.
 * - `value[g]` at a leaf is scikit-learn's per-tree term `((depth + 1) + c(n_leaf)) - 1.0`,
 *   evaluated in that order.
 */
export interface CompiledForest {
  readonly nTrees: number;
  readonly nFeatures: number;
  /** `nEstimators * c(maxSamples)`: the score's normaliser (0 for a one-row model). */
  readonly denominator: number;
  /** Global id of each tree's root. */
  readonly roots: Int32Array;
  /** Depth of each tree's deepest leaf: the number of steps a walk takes. */
  readonly depths: Int32Array;
  /** Input column tested at each node (0 at leaves). */
  readonly column: Int32Array;
  /** Threshold of each node (+Infinity at leaves). */
  readonly threshold: Float64Array;
  /** Children, two per node (a leaf's are itself). */
  readonly kids: Int32Array;
  /** Path term at leaves, 0 at internal nodes. */
  readonly value: Float64Array;
  /**
   * For models that accept missing values: per node, the child index (0 left, 1 right) a NaN
   * takes (`1 - missing_go_to_left`; 0 at leaves, which point to themselves). Null otherwise.
   */
  readonly missingStep: Uint8Array | null;
}

const cache = new WeakMap<FlatForest, CompiledForest>();

/**
 * Compiles (and caches per forest object) the traversal arrays. The forest must have passed
 * `verifyForest` or come from `fitIsolationForest`: children after parents, features in range.
 */
export function compileForest(forest: FlatForest): CompiledForest {
  const cached = cache.get(forest);
  if (cached) return cached;
  const nTrees = forest.nEstimators;
  const nNodes = forest.nodeOffsets[nTrees];
  const column = new Int32Array(nNodes);
  const threshold = new Float64Array(nNodes);
  const kids = new Int32Array(2 * nNodes);
  const value = new Float64Array(nNodes);
  const roots = new Int32Array(nTrees);
  const depths = new Int32Array(nTrees);
  const depth = new Int32Array(nNodes);
  const subset = forest.maxFeatures !== forest.nFeatures;
  const missing = forest.missingGoToLeft;
  const stored = forest.averagePathLength;
  const missingStep = missing === undefined ? null : new Uint8Array(nNodes);
  for (let t = 0; t < nTrees; t++) {
    const base = forest.nodeOffsets[t];
    const end = forest.nodeOffsets[t + 1];
    roots[t] = base;
    let deepest = 0;
    // Children have larger ids than their parent, so depths are known before they are read.
    for (let g = base; g < end; g++) {
      const l = forest.childrenLeft[g];
      if (depth[g] > deepest) deepest = depth[g];
      if (l < 0) {
        kids[2 * g] = g;
        kids[2 * g + 1] = g;
        threshold[g] = Infinity;
        const c = stored === undefined ? averagePathLength(forest.nNodeSamples[g]) : stored[g];
        value[g] = depth[g] + 1 + c - 1.0;
      } else {
        const r = forest.childrenRight[g];
        const f = forest.feature[g];
        column[g] = subset ? forest.treeFeatures[t * forest.maxFeatures + f] : f;
        threshold[g] = forest.threshold[g];
        if (missingStep !== null && missing !== undefined)
          missingStep[g] = missing[g] === 1 ? 0 : 1;
        kids[2 * g] = base + l;
        kids[2 * g + 1] = base + r;
        depth[base + l] = depth[g] + 1;
        depth[base + r] = depth[g] + 1;
      }
    }
    depths[t] = deepest;
  }
  const compiled: CompiledForest = {
    nTrees,
    nFeatures: forest.nFeatures,
    denominator: nTrees * averagePathLength(forest.maxSamples),
    roots,
    depths,
    column,
    threshold,
    kids,
    value,
    missingStep,
  };
  cache.set(forest, compiled);
  return compiled;
}
