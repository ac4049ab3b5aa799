/**
 * The fitted forest as flat typed arrays, in scikit-learn's `Tree` layout.
 *
 * Node arrays are concatenated over trees: tree `t` owns the global rows
 * `nodeOffsets[t] .. nodeOffsets[t + 1] - 1`, and the child ids stored in those rows are
 * tree-local (node 0 is the tree's root), exactly as in `estimator.tree_.children_left`.
 * Leaves have `childrenLeft = childrenRight = -1`, `feature = -2`, `threshold = -2`.
 *
 * `feature` indexes the tree's feature subset: the input column of node `k` of tree `t` is
 * `treeFeatures[t * maxFeatures + feature[k]]` when `maxFeatures < nFeatures`, and `feature[k]`
 * itself otherwise (scikit-learn's `estimators_features_` remapping).
 *
 * No training rows are kept: leaves only store how many distinct samples reached them.
 */
export interface FlatForest {
  /** Number of trees (`len(estimators_)`). */
  readonly nEstimators: number;
  /** Number of input columns the model expects (`n_features_in_`). */
  readonly nFeatures: number;
  /** Sub-sample size each tree was grown on (`max_samples_`); the score's normaliser. */
  readonly maxSamples: number;
  /** Columns drawn per tree (`_max_features`). */
  readonly maxFeatures: number;
  /** `nEstimators * maxFeatures` column ids (`estimators_features_`), tree-major. */
  readonly treeFeatures: Int32Array;
  /** `nEstimators + 1` prefix offsets into the node arrays. */
  readonly nodeOffsets: Int32Array;
  /** Tree-local id of the left child (`x <= threshold`), or -1 at a leaf. */
  readonly childrenLeft: Int32Array;
  /** Tree-local id of the right child, or -1 at a leaf. */
  readonly childrenRight: Int32Array;
  /** Index into the tree's feature subset, or -2 at a leaf. */
  readonly feature: Int32Array;
  /** Split threshold (float64, compared against float32-rounded inputs), or -2 at a leaf. */
  readonly threshold: Float64Array;
  /** Distinct training samples that reached the node (`n_node_samples`). */
  readonly nNodeSamples: Int32Array;
  /**
   * Total sample weight that reached the node (`weighted_n_node_samples`): equal to
   * `nNodeSamples` unless the model was fitted with `bootstrap` (a row drawn k times weighs k)
   * or a `sample_weight`. TreeSHAP uses it as the node cover. Absent on forests read from
   * version-1 artifacts, which did not store it; such forests score but cannot be explained.
   */
  readonly weightedNNodeSamples?: Float64Array;
}

/** Sentinel child id of a leaf (scikit-learn's `TREE_LEAF`). */
export const TREE_LEAF = -1;
/** Sentinel feature id of a leaf (scikit-learn's `TREE_UNDEFINED`). */
export const TREE_UNDEFINED = -2;
