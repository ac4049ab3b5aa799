import type { CompiledForest } from './compile-forest';

/** Trees per table group: bounds the rank tables, which grow with the group's thresholds. */
const GROUP_TREES = 128;
/** Distinct leaf values a group may have: its grid cells are one byte. */
const MAX_LEAF_VALUES = 256;
/** Largest decision table (cells) a tree may have to be tabulated. */
const MAX_CELLS = 1 << 14;

/**
 * Decision tables for the trees of a contiguous group that split on at most two input columns.
 *
 * For a column c, the group's distinct thresholds on c sorted ascending are U_c. A row's value
 * v (float32-rounded) has the global rank R_c(v) = #{u in U_c : u < v}, so for a node with
 * threshold U_c[j], `v <= U_c[j]` holds exactly when `R_c(v) <= j`. A tree's own thresholds on
 * c are a subset of U_c; its local rank `rankMap[R]` counts those below the R-th global one.
 * The pair of local ranks (one per column the tree uses) identifies the leaf the row reaches,
 * looked up in a grid filled once from the tree. Every comparison is the same as the tree
 * walk's, so the leaf, and hence the path length, is identical. A grid cell holds the index of
 * the leaf's path term among the group's distinct terms (a few hundred at most: a term depends
 * only on the leaf's depth and sample count), so cells are one byte and the terms a request
 * reads stay in a few cache lines; a group ends early rather than exceed 256 distinct terms.
 *
 * The rank maps are stored twice, in two layouts ({@link RankMaps}): tree by tree, where a
 * pass of four trees over a large block of rows reads four compact maps per column, and
 * rank-major, where a row's look-ups for consecutive trees share cache lines (100 trees cost a
 * row about 4 cache lines per column instead of 100), which matters when a small batch meets a
 * cold cache (a request served between other work).
 */
export interface TableGroup {
  readonly firstTree: number;
  readonly endTree: number;
  /** Input column of each rank slot. Slot `slotColumns.length` is an all-zero slot. */
  readonly slotColumns: Int32Array;
  /** Sorted distinct thresholds of each slot's column over the group's tabulated trees. */
  readonly slotThresholds: readonly Float64Array[];
  /** Per tree of the group: 1 if tabulated, 0 if it must be walked. */
  readonly tabulated: Uint8Array;
  /** Per tree: rank slot of its first / second column (the zero slot when absent). */
  readonly slot0: Int32Array;
  readonly slot1: Int32Array;
  /** The rank maps, each tree's contiguous: for blocks of many rows. */
  readonly byTree: RankMaps;
  /** The rank maps, rank-major per slot: for blocks of few rows. */
  readonly byRank: RankMaps;
  /** Per tree: where its grid starts. */
  readonly gridOff: Int32Array;
  /** Per cell `rank0 * width + rank1` of a tree's grid: its leaf's index in `leafValues`. */
  readonly grid: Uint8Array;
  /** The group's distinct leaf path terms (at most {@link MAX_LEAF_VALUES}). */
  readonly leafValues: Float64Array;
}

/**
 * One layout of a group's rank maps: tree t's local rank on its first column for global rank R
 * is `map[off0[t] + R * slotStrides[slot0[t]]]` (likewise for the second). Offset 0 is the zero
 * map, for a column a tree does not use. The first column's entries are pre-multiplied by the
 * tree's grid width.
 */
export interface RankMaps {
  /** Per slot: the distance in `map` between consecutive global ranks (0 for the zero slot). */
  readonly slotStrides: Int32Array;
  readonly off0: Int32Array;
  readonly off1: Int32Array;
  readonly map: Uint16Array;
}

/** The table groups of a forest, in tree order. */
export interface ScoreTables {
  readonly groups: readonly TableGroup[];
}

const cache = new WeakMap<CompiledForest, ScoreTables>();

/** The decision tables of `c` if they were built already, else null (never builds them). */
export function builtScoreTables(c: CompiledForest): ScoreTables | null {
  return cache.get(c) ?? null;
}

/** Builds (and caches per compiled forest) the decision tables. Pure derived data. */
export function buildScoreTables(c: CompiledForest): ScoreTables {
  const cached = cache.get(c);
  if (cached) return cached;
  const groups: TableGroup[] = [];
  let first = 0;
  while (first < c.nTrees) {
    // Up to GROUP_TREES trees whose tabulated ones have at most MAX_LEAF_VALUES distinct leaf
    // terms together; a tree with more on its own is walked.
    const values = new Map<number, number>();
    const shapes: (TreeShape | null)[] = [];
    let end = first;
    while (end < c.nTrees && end - first < GROUP_TREES) {
      let shape = treeShape(c, end);
      if (shape) {
        const fresh = shape.leafValues.filter((v) => !values.has(v));
        if (values.size + fresh.length > MAX_LEAF_VALUES) {
          if (end > first) break;
          shape = null;
        } else {
          for (const v of fresh) values.set(v, values.size);
        }
      }
      shapes.push(shape);
      end++;
    }
    groups.push(buildGroup(c, first, shapes, values));
    first = end;
  }
  const tables = { groups };
  cache.set(c, tables);
  return tables;
}

/** One tree's split columns, its sorted distinct thresholds on each, its distinct leaf terms. */
interface TreeShape {
  readonly columns: number[];
  readonly thresholds: Float64Array[];
  readonly leafValues: number[];
}

function treeShape(c: CompiledForest, t: number): TreeShape | null {
  const start = c.roots[t];
  const end = t + 1 < c.nTrees ? c.roots[t + 1] : c.column.length;
  const columns: number[] = [];
  const values: number[][] = [];
  const leaves = new Set<number>();
  for (let g = start; g < end; g++) {
    if (c.kids[2 * g] === g) {
      leaves.add(c.value[g]);
      continue;
    }
    const col = c.column[g];
    let k = columns.indexOf(col);
    if (k < 0) {
      if (columns.length === 2) return null;
      k = columns.push(col) - 1;
      values.push([]);
    }
    values[k].push(c.threshold[g]);
  }
  // Columns in ascending order, so that trees on the same pair of columns share their rank
  // slots in the same roles (the scorer then reads each row's ranks once for four trees).
  if (columns.length === 2 && columns[0] > columns[1]) {
    columns.reverse();
    values.reverse();
  }
  const thresholds = values.map((v) => Float64Array.from(new Set(v)).sort());
  let cells = 1;
  for (const th of thresholds) cells *= th.length + 1;
  return cells <= MAX_CELLS ? { columns, thresholds, leafValues: [...leaves] } : null;
}

/**
 * Index of the first element >= v in a sorted array (the count of elements < v). Branch-free
 * halving, so the comparisons do not stall the pipeline on unpredictable data.
 */
export function lowerBound(sorted: Float64Array, v: number): number {
  let len = sorted.length;
  if (len === 0) return 0;
  let base = 0;
  while (len > 1) {
    const half = len >>> 1;
    base += +(sorted[base + half] < v) * half;
    len -= half;
  }
  return base + +(sorted[base] < v);
}

/**
 * The tables of trees `first ..` (one shape per tree, null for a walked tree), whose tabulated
 * trees' leaf terms are the keys of `leafIndex` (values: their indices).
 */
function buildGroup(
  c: CompiledForest,
  first: number,
  shapes: readonly (TreeShape | null)[],
  leafIndex: ReadonlyMap<number, number>,
): TableGroup {
  const n = shapes.length;
  const end = first + n;
  const slotOf = new Map<number, number>();
  const slotValues: number[][] = [];
  for (const shape of shapes) {
    if (!shape) continue;
    shape.columns.forEach((col, k) => {
      let s = slotOf.get(col);
      if (s === undefined) {
        s = slotValues.push([]) - 1;
        slotOf.set(col, s);
      }
      for (const v of shape.thresholds[k]) slotValues[s].push(v);
    });
  }
  const slotColumns = Int32Array.from(slotOf.keys());
  const slotThresholds = slotValues.map((v) => Float64Array.from(new Set(v)).sort());
  const zeroSlot = slotColumns.length;
  // Rank maps: one per tree and column it uses. Tree by tree, each map is a run of entries;
  // rank-major, a slot holds the maps of the trees using its column, in tree order, as the
  // columns of a (ranks x trees) matrix.
  const slotUsers = new Int32Array(zeroSlot + 1);
  for (const shape of shapes) shape?.columns.forEach((col) => slotUsers[slotOf.get(col)!]++);
  const slotBase = new Int32Array(zeroSlot);
  let rankSize = 1; // entry 0: the zero map
  for (let s = 0; s < zeroSlot; s++) {
    slotBase[s] = rankSize;
    rankSize += (slotThresholds[s].length + 1) * slotUsers[s];
  }
  const byTree = {
    slotStrides: new Int32Array(zeroSlot + 1).fill(1, 0, zeroSlot),
    off0: new Int32Array(n),
    off1: new Int32Array(n),
    map: new Uint16Array(rankSize),
  };
  const byRank = {
    slotStrides: slotUsers.slice(),
    off0: new Int32Array(n),
    off1: new Int32Array(n),
    map: new Uint16Array(rankSize),
  };
  slotUsers.fill(0);

  const tabulated = new Uint8Array(n);
  const slot0 = new Int32Array(n).fill(zeroSlot);
  const slot1 = new Int32Array(n).fill(zeroSlot);
  const gridOff = new Int32Array(n);

  // Sizes first, then fill.
  let gridSize = 0;
  shapes.forEach((shape, k) => {
    if (!shape) return;
    let cells = 1;
    for (const th of shape.thresholds) cells *= th.length + 1;
    gridSize += cells;
    tabulated[k] = 1;
  });
  const grid = new Uint8Array(gridSize);
  const leafValues = Float64Array.from(leafIndex.keys());

  let treeAt = 1;
  let gridAt = 0;
  shapes.forEach((shape, k) => {
    if (!shape) return;
    const m = [0, 0];
    shape.thresholds.forEach((th, d) => (m[d] = th.length));
    const width = m[1] + 1;
    shape.columns.forEach((col, d) => {
      const slot = slotOf.get(col)!;
      const global = slotThresholds[slot];
      const local = shape.thresholds[d];
      const scale = d === 0 ? width : 1;
      const stride = byRank.slotStrides[slot];
      const rankAt = slotBase[slot] + slotUsers[slot]++;
      // Entry for global rank R: the number of local thresholds whose global index is below R.
      let j = 0;
      let next = local.length > 0 ? lowerBound(global, local[0]) : Infinity;
      for (let r = 0; r <= global.length; r++) {
        while (next < r) {
          j++;
          next = j < local.length ? lowerBound(global, local[j]) : Infinity;
        }
        byTree.map[treeAt + r] = j * scale;
        byRank.map[rankAt + r * stride] = j * scale;
      }
      if (d === 0) {
        slot0[k] = slot;
        byTree.off0[k] = treeAt;
        byRank.off0[k] = rankAt;
      } else {
        slot1[k] = slot;
        byTree.off1[k] = treeAt;
        byRank.off1[k] = rankAt;
      }
      treeAt += global.length + 1;
    });
    gridOff[k] = gridAt;
    fillGrid(c, c.roots[first + k], shape, m, width, grid, gridAt, leafIndex);
    gridAt += (m[0] + 1) * width;
  });

  return {
    firstTree: first,
    endTree: end,
    slotColumns,
    slotThresholds,
    tabulated,
    slot0,
    slot1,
    byTree,
    byRank,
    gridOff,
    grid,
    leafValues,
  };
}

/** Writes each leaf's term index into the cells (local rank rectangles) that reach it. */
function fillGrid(
  c: CompiledForest,
  root: number,
  shape: TreeShape,
  m: number[],
  width: number,
  grid: Uint8Array,
  gridAt: number,
  leafIndex: ReadonlyMap<number, number>,
): void {
  const visit = (g: number, lo0: number, hi0: number, lo1: number, hi1: number): void => {
    if (lo0 > hi0 || lo1 > hi1) return;
    if (c.kids[2 * g] === g) {
      const index = leafIndex.get(c.value[g])!;
      for (let a = lo0; a <= hi0; a++) {
        grid.fill(index, gridAt + a * width + lo1, gridAt + a * width + hi1 + 1);
      }
      return;
    }
    const d = shape.columns.indexOf(c.column[g]);
    // Position of the node's threshold among the tree's thresholds on that column: the row
    // goes left exactly when its local rank is <= j.
    const j = lowerBound(shape.thresholds[d], c.threshold[g]);
    const left = c.kids[2 * g];
    const right = c.kids[2 * g + 1];
    if (d === 0) {
      visit(left, lo0, Math.min(hi0, j), lo1, hi1);
      visit(right, Math.max(lo0, j + 1), hi0, lo1, hi1);
    } else {
      visit(left, lo0, hi0, lo1, Math.min(hi1, j));
      visit(right, lo0, hi0, Math.max(lo1, j + 1), hi1);
    }
  };
  visit(root, 0, m[0], 0, m[1]);
}
