import type { ShapForest } from './shap-forest';

/**
 * Default memory budget of one forest's leaf tables, in bytes. Rows read the tables at random,
 * so they pay off while they stay in the CPU's caches: measured on a 2 MiB L2 / 32 MiB shared
 * L3 machine, tabled trees of a `max_samples` 1024 forest ran 5x faster than the recursion
 * with 8 MiB of tables, 2x with 16 MiB and 1.1x with 34 MiB. A default forest (100 trees,
 * `max_samples` 256) needs under 0.5 MiB on 2 features and about 5 MiB on 40; trees past the
 * budget are explained by the recursion of `tree-shap.ts`.
 */
export const DEFAULT_TABLE_BUDGET_BYTES = 8 * 1024 * 1024;

/** Leaves with more distinct path features than this make their tree use the recursion. */
export const MAX_TABLED_PATH_FEATURES = 12;

/**
 * Per-leaf lookup tables for path-dependent TreeSHAP (the idea of "Fast TreeSHAP v2", Jilei
 * Yang, arXiv:2109.09847, 2021, specialised to the path-dependent game): exact Shapley values
 * of one tree for one row in O(N + L * K) (N nodes, L leaves, K <= D distinct features on a
 * leaf's path) instead of the recursion's O(L * D^2).
 *
 * For a leaf l with value v, the distinct features U of its path (K = |U|), and for j in U
 * `z_j` the product of the cover ratios `w(next) / w(u)` over the path's splits on j, the
 * path-dependent game restricted to l is `v * prod_{j in U} (j in S ? o_j : z_j)`, where
 * `o_j` is 1 when the row takes the path's side at every split on j and 0 otherwise. With
 * P = {j in U : o_j = 1}, its Shapley value for feature i in U is (summing over S in P \ {i})
 *
 *     v * (o_i - z_i) * prod_{j in U \ P \ {i}} z_j * E_K(P \ {i}),
 *     E_K(Q) = sum_{r=0..|Q|} r! (K-r-1)! / K! * e_{|Q|-r}(z_Q)
 *
 * (e_m the elementary symmetric polynomials). With the table
 * `T_l(Q) = v * prod_{j in U \ Q} z_j * E_K(Q)` over all subsets Q of U this is
 *
 * - `-T_l(P)` for every i not in P (the same for all of them), and
 * - `(1 - z_i) / z_i * T_l(P \ {i})` for every i in P,
 *
 * so a row needs only its pattern P per leaf. P comes from one forward pass over the tree's
 * nodes (children follow their parent): each split passes its parent's mask of failed
 * features to the child the row takes, and the mask with its own feature's bit to the other.
 *
 * The tables are the same Shapley values as shap's recursion (`tree-shap.ts`), summed in another
 * order: they agree to about 1e-15. A tree is left to the recursion when a leaf has more than
 * {@link MAX_TABLED_PATH_FEATURES} distinct path features, a zero cover ratio (a child with
 * weight 0, where the division above would fail), or when the forest's tables would pass the
 * memory budget; which trees are tabled depends only on the forest and the budget, never on the
 * rows explained.
 */
export interface ShapLeafTables {
  /** Per tree: 1 when its leaves have tables, 0 when the recursion explains it. */
  readonly tabled: Uint8Array;
  /** Per split (global node id): the bit of its feature among its path's distinct features. */
  readonly bit: Int32Array;
  /** Per leaf (global node id): K, the number of distinct features on its path. */
  readonly pathFeatures: Uint8Array;
  /** Per leaf: offset of its 2^K-entry table in {@link ShapLeafTables.table}. */
  readonly tableAt: Int32Array;
  /** Per leaf: offset of its K features in `column` and `satisfiedFactor`. */
  readonly featureAt: Int32Array;
  /** Input column of each leaf's k-th distinct path feature. */
  readonly column: Int32Array;
  /** `(1 - z_k) / z_k` of each leaf's k-th distinct path feature. */
  readonly satisfiedFactor: Float64Array;
  /** Every tabled leaf's `T_l(Q)`, indexed by the bit set Q. */
  readonly table: Float64Array;
  /** Most nodes in one tree (sizes the per-row mask scratch). */
  readonly maxTreeNodes: number;
  /** Bytes held by these tables (the arrays above). */
  readonly bytes: number;
}

const cache = new WeakMap<ShapForest, ShapLeafTables>();

/**
 * The leaf tables of a converted forest within the default budget, built once per forest
 * object (the first explanation of a model pays for it: tens of milliseconds for 100 trees).
 */
export function leafTables(shap: ShapForest): ShapLeafTables {
  let tables = cache.get(shap);
  if (tables === undefined) {
    tables = buildLeafTables(shap, DEFAULT_TABLE_BUDGET_BYTES);
    cache.set(shap, tables);
  }
  return tables;
}

/**
 * Builds the leaf tables of `shap` for trees in order while they fit in `budgetBytes` (the
 * per-node arrays are always allocated; the budget bounds the per-leaf tables and features).
 */
export function buildLeafTables(shap: ShapForest, budgetBytes: number): ShapLeafTables {
  const nNodes = shap.left.length;
  const nTrees = shap.nTrees;
  const { left, right, cover } = shap;
  const bit = new Int32Array(nNodes);
  const pathFeatures = new Uint8Array(nNodes);
  const tableAt = new Int32Array(nNodes);
  const featureAt = new Int32Array(nNodes);
  const tabled = new Uint8Array(nTrees);
  const parent = new Int32Array(nNodes);
  const position = new Int32Array(nNodes);
  const unique = new Int32Array(nNodes);
  let maxTreeNodes = 0;

  // Pass 1: bit positions, K per leaf, and which trees fit.
  let tableSize = 0;
  let featureSize = 0;
  let spent = 0;
  const ends: number[] = [];
  for (let t = 0; t < nTrees; t++) {
    const base = shap.roots[t];
    const end = t + 1 < nTrees ? shap.roots[t + 1] : nNodes;
    ends.push(end);
    maxTreeNodes = Math.max(maxTreeNodes, end - base);
    parent[base] = -1;
    unique[base] = 0;
    let ok = true;
    let treeTable = 0;
    let treeFeatures = 0;
    for (let g = base; g < end; g++) {
      const l = left[g];
      if (l < 0) {
        const k = unique[g];
        if (k > MAX_TABLED_PATH_FEATURES) ok = false;
        pathFeatures[g] = Math.min(k, 255);
        treeTable += 1 << Math.min(k, 30);
        treeFeatures += k;
        continue;
      }
      const r = right[g];
      if (!(cover[l] > 0 && cover[r] > 0 && cover[g] > 0)) ok = false;
      parent[l] = g;
      parent[r] = g;
      // The position of this split's feature among the distinct features above it.
      const f = shap.column[g];
      let pos = -1;
      for (let a = parent[g]; a >= 0; a = parent[a]) {
        if (shap.column[a] === f) {
          pos = position[a];
          break;
        }
      }
      const isNew = pos < 0;
      if (isNew) pos = unique[g];
      position[g] = pos;
      bit[g] = pos < 31 ? 1 << pos : 0;
      unique[l] = unique[g] + (isNew ? 1 : 0);
      unique[r] = unique[l];
    }
    const bytes = treeTable * 8 + treeFeatures * 12;
    if (ok && spent + bytes <= budgetBytes) {
      tabled[t] = 1;
      spent += bytes;
      tableSize += treeTable;
      featureSize += treeFeatures;
    }
  }

  // Pass 2: the tables of the trees that fit.
  const table = new Float64Array(tableSize);
  const column = new Int32Array(featureSize);
  const satisfiedFactor = new Float64Array(featureSize);
  const maxK = Math.min(shap.maxDepth, MAX_TABLED_PATH_FEATURES);
  const scratch = new LeafScratch(maxK);
  let tableNext = 0;
  let featureNext = 0;
  // A leaf's path, leaf first: path[0] = leaf, path[i + 1] = parent of path[i].
  const path = new Int32Array(shap.maxDepth + 1);
  for (let t = 0; t < nTrees; t++) {
    if (tabled[t] === 0) continue;
    const base = shap.roots[t];
    for (let g = base; g < ends[t]; g++) {
      if (left[g] >= 0) continue;
      const k = pathFeatures[g];
      tableAt[g] = tableNext;
      featureAt[g] = featureNext;
      let n = 0;
      for (let a = g; a >= 0; a = parent[a]) path[n++] = a;
      const z = scratch.z;
      z.fill(1, 0, k);
      // Top-down, so that a repeated feature multiplies its ratios in shap's order.
      for (let i = n - 1; i >= 1; i--) {
        const a = path[i];
        const p = position[a];
        z[p] = (cover[path[i - 1]] / cover[a]) * z[p];
        column[featureNext + p] = shap.column[a];
      }
      for (let p = 0; p < k; p++) satisfiedFactor[featureNext + p] = (1 - z[p]) / z[p];
      scratch.fill(k, shap.value[g], table, tableNext);
      tableNext += 1 << k;
      featureNext += k;
    }
  }
  const bytes =
    table.byteLength +
    column.byteLength +
    satisfiedFactor.byteLength +
    bit.byteLength +
    pathFeatures.byteLength +
    tableAt.byteLength +
    featureAt.byteLength +
    tabled.byteLength;
  return {
    tabled,
    bit,
    pathFeatures,
    tableAt,
    featureAt,
    column,
    satisfiedFactor,
    table,
    maxTreeNodes,
    bytes,
  };
}

/** Scratch space for one leaf's table: elementary symmetric polynomials of every subset. */
class LeafScratch {
  /** The leaf's `z_k`. */
  readonly z: Float64Array;
  private readonly poly: Float64Array;
  private readonly rest: Float64Array;
  private readonly weight: Float64Array;

  constructor(private readonly maxK: number) {
    this.z = new Float64Array(Math.max(maxK, 1));
    this.poly = new Float64Array((1 << maxK) * (maxK + 1));
    this.rest = new Float64Array(1 << maxK);
    this.weight = new Float64Array(maxK + 1);
  }

  /** Writes `T(Q)` for every Q of the first `k` features to `out[at + Q]`. */
  fill(k: number, v: number, out: Float64Array, at: number): void {
    const n = 1 << k;
    const stride = this.maxK + 1;
    const { z, poly, rest, weight } = this;
    // weight[r] = r! (k-r-1)! / k! = 1 / (k * binom(k-1, r)).
    for (let r = 0; r < k; r++) {
      let binom = 1;
      for (let s = 1; s <= r; s++) binom = (binom * (k - s)) / s;
      weight[r] = 1 / (k * binom);
    }
    // e_m(z_Q) for every Q, adding Q's highest feature to the polynomial of the rest.
    poly[0] = 1;
    for (let q = 1; q < n; q++) {
      const top = 31 - Math.clz32(q);
      const prev = q ^ (1 << top);
      const zt = z[top];
      const size = popcount(q);
      const o = q * stride;
      const po = prev * stride;
      poly[o] = 1;
      for (let m = 1; m < size; m++) poly[o + m] = poly[po + m] + zt * poly[po + m - 1];
      poly[o + size] = zt * poly[po + size - 1];
    }
    // prod_{j not in Q} z_j, from the full set down.
    rest[n - 1] = 1;
    for (let q = n - 2; q >= 0; q--) {
      const low = ~q & (q + 1);
      rest[q] = rest[q | low] * z[31 - Math.clz32(low)];
    }
    for (let q = 0; q < n - 1; q++) {
      const h = popcount(q);
      const o = q * stride;
      let s = 0;
      for (let r = 0; r <= h; r++) s += weight[r] * poly[o + h - r];
      out[at + q] = v * rest[q] * s;
    }
    // The full set is never looked up (some feature is always left out).
    out[at + n - 1] = 0;
  }
}

function popcount(q: number): number {
  let c = 0;
  for (let v = q; v !== 0; v &= v - 1) c++;
  return c;
}

/**
 * Explains trees with their leaf tables; holds the per-row mask scratch (one per caller, like
 * `TreeShapWorkspace`).
 */
export class LeafTableWorkspace {
  private mask = new Int32Array(0);

  /**
   * Adds tree `tree`'s Shapley values for row `x` to `phi[phiOffset + column]`. The tree must be tabled
   * (`tables.tabled[tree] === 1`).
   *
   * @param x the row, already rounded to float32 (as scoring compares it)
   * @param missing true when `x` holds a NaN (a missing value, for a forest with
   *   `missingChild`): NaN then takes the split's missing-value child, as in shap
   */
  explainTree(
    shap: ShapForest,
    tables: ShapLeafTables,
    tree: number,
    x: ArrayLike<number>,
    phi: Float64Array,
    phiOffset: number,
    missing = false,
  ): void {
    if (this.mask.length < tables.maxTreeNodes) this.mask = new Int32Array(tables.maxTreeNodes);
    const mask = this.mask;
    const { left, right, threshold } = shap;
    const missingChild = missing ? shap.missingChild : null;
    const split = shap.column;
    const { bit, pathFeatures, tableAt, featureAt, column, satisfiedFactor, table } = tables;
    const base = shap.roots[tree];
    const end = tree + 1 < shap.nTrees ? shap.roots[tree + 1] : left.length;
    mask[0] = 0;
    for (let g = base; g < end; g++) {
      const m = mask[g - base];
      const l = left[g];
      if (l >= 0) {
        // Branch-free: the row's side keeps the mask, the other side adds the feature's bit.
        const v = x[split[g]];
        const goLeft =
          missingChild !== null && v !== v ? +(missingChild[g] === l) : +(v <= threshold[g]);
        const b = bit[g];
        mask[l - base] = m | (b & (goLeft - 1));
        mask[right[g] - base] = m | (b & -goLeft);
        continue;
      }
      const k = pathFeatures[g];
      const t = tableAt[g];
      const f = featureAt[g];
      const p = ((1 << k) - 1) & ~m;
      const failed = table[t + p];
      for (let j = 0; j < k; j++) {
        // s = 1: satisfied, (1 - z) / z * T(P \ {j}); s = 0: failed, -T(P). Products with 1
        // and 0 are exact, so this is the same double as the branching form.
        const s = (p >> j) & 1;
        const satisfied = satisfiedFactor[f + j] * table[t + (p ^ (1 << j))];
        phi[phiOffset + column[f + j]] += s * satisfied + (s - 1) * failed;
      }
    }
  }
}
