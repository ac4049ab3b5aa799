import type { ShapForest } from './shap-forest';

/** Largest number of cells a tree may have to be memoised. */
const MAX_CELLS = 4096;

/**
 * Memoised per-tree Shapley values for trees that split on few columns.
 *
 * A tree's TreeSHAP values for a row depend on the row only through the side it takes at every
 * split, i.e. through the cell of the tree's threshold grid the row falls in: for each column
 * c the tree splits on, with its sorted distinct thresholds U_c, the rank
 * `R_c(v) = #{u in U_c : u < v}` decides every comparison (`v <= U_c[j]` exactly when
 * `R_c(v) <= j`). So the values can be computed once per cell and reused: two binary searches
 * and two additions per tree and row instead of a TreeSHAP pass (the default 2-feature model's
 * trees have a few hundred cells each). Cells are filled on first use, so memory grows only
 * with the cells rows actually reach, and is bounded by {@link MAX_CELLS} per tree; trees
 * with more cells are always computed.
 *
 * A memoised value is the very double the computation gives (the tree's values are always
 * summed on their own before they are added to the row's), so results do not depend on what
 * was explained before.
 */
export interface TreeCells {
  /** Input columns the tree splits on. */
  readonly columns: Int32Array;
  /** Sorted distinct thresholds per column. */
  readonly thresholds: readonly Float64Array[];
  /** Cell index stride per column. */
  readonly strides: Int32Array;
  /** Number of cells. */
  readonly cells: number;
  /** `cells * columns.length` values, allocated on first use. */
  values: Float64Array | null;
  /** 1 where the cell's values are filled. */
  filled: Uint8Array | null;
}

/** Per tree: its columns, and its cell memo when it has at most MAX_CELLS cells. */
export interface ExplainPlan {
  readonly shap: ShapForest;
  /** Input columns each tree splits on. */
  readonly treeColumns: readonly Int32Array[];
  /** Each tree's memo, or null when the tree has too many cells. */
  readonly cells: readonly (TreeCells | null)[];
}

const cache = new WeakMap<ShapForest, ExplainPlan>();

/** The plan of a converted forest (built once per forest object, memo filled as rows come). */
export function explainPlan(shap: ShapForest): ExplainPlan {
  const cached = cache.get(shap);
  if (cached) return cached;
  const treeColumns: Int32Array[] = [];
  const cells: (TreeCells | null)[] = [];
  for (let t = 0; t < shap.nTrees; t++) {
    const end = t + 1 < shap.nTrees ? shap.roots[t + 1] : shap.left.length;
    const byColumn = new Map<number, Set<number>>();
    for (let g = shap.roots[t]; g < end; g++) {
      if (shap.left[g] < 0) continue;
      const c = shap.column[g];
      let set = byColumn.get(c);
      if (!set) byColumn.set(c, (set = new Set()));
      set.add(shap.threshold[g]);
    }
    const columns = Int32Array.from(byColumn.keys());
    treeColumns.push(columns);
    let count = 1;
    const strides = new Int32Array(columns.length);
    const thresholds: Float64Array[] = [];
    for (let k = columns.length - 1; k >= 0; k--) {
      const u = Float64Array.from(byColumn.get(columns[k]) as Set<number>).sort();
      thresholds[k] = u;
      strides[k] = count;
      count *= u.length + 1;
      if (count > MAX_CELLS) break;
    }
    cells.push(
      count > MAX_CELLS || columns.length === 0
        ? null
        : { columns, thresholds, strides, cells: count, values: null, filled: null },
    );
  }
  const plan = { shap, treeColumns, cells };
  cache.set(shap, plan);
  return plan;
}

/** Index of the cell of `x` in a tree's grid: the ranks of its values among the thresholds. */
export function cellOf(tc: TreeCells, x: ArrayLike<number>): number {
  let key = 0;
  for (let k = 0; k < tc.columns.length; k++) {
    const u = tc.thresholds[k];
    const v = x[tc.columns[k]];
    let lo = 0;
    let hi = u.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (u[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    key += lo * tc.strides[k];
  }
  return key;
}
