import fc from 'fast-check';
import { explainSamples } from '../explain';
import { fitIsolationForest } from '../fit';
import type { DenseMatrix } from '../matrix';
import { compileShapForest, type ShapForest } from '../shap-forest';
import { TreeShapWorkspace } from '../tree-shap';
import {
  buildLeafTables,
  LeafTableWorkspace,
  MAX_TABLED_PATH_FEATURES,
  type ShapLeafTables,
} from '../tree-shap-tables';

/**
 * The leaf tables (`tree-shap-tables.ts`) against the recursion they replace (`tree-shap.ts`, the
 * port of shap's C++ core that the shap fixtures pin): the same Shapley values per tree and row,
 * the fallback to the recursion where a tree is not tabled, and the memory budget.
 */

/** Deterministic float32 data from a small LCG, with occasional far values. */
function data(seed: number, rows: number, cols: number): DenseMatrix {
  let s = seed >>> 0 || 1;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.fround((next() - 0.5) * 8 + (next() < 0.05 ? 9 : 0));
  }
  return { data: out, rows, cols };
}

/** Rows whose values sit exactly on the forest's thresholds (the `<=` tie goes left). */
function thresholdRows(shap: ShapForest, rows: number, seed: number): Float64Array[] {
  const splits: number[] = [];
  for (let g = 0; g < shap.left.length; g++) if (shap.left[g] >= 0) splits.push(g);
  const out: Float64Array[] = [];
  let s = seed;
  for (let i = 0; i < rows; i++) {
    const row = new Float64Array(shap.nFeatures);
    for (let j = 0; j < row.length; j++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const g = splits[s % splits.length];
      row[j] = shap.column[g] === j ? shap.threshold[g] : Math.fround(((s >>> 8) % 64) / 8 - 4);
    }
    out.push(row);
  }
  return out;
}

/** Largest |tables - recursion| over every tabled tree and row; counts the trees compared. */
function compareTrees(
  shap: ShapForest,
  tables: ShapLeafTables,
  rows: readonly Float64Array[],
): { maxDiff: number; compared: number } {
  const recursion = new TreeShapWorkspace();
  const lookup = new LeafTableWorkspace();
  const a = new Float64Array(shap.nFeatures);
  const b = new Float64Array(shap.nFeatures);
  let maxDiff = 0;
  let compared = 0;
  for (let t = 0; t < shap.nTrees; t++) {
    if (tables.tabled[t] === 0) continue;
    compared++;
    for (const row of rows) {
      a.fill(0);
      b.fill(0);
      recursion.explainTree(shap, t, row, a, 0);
      lookup.explainTree(shap, tables, t, row, b, 0);
      for (let j = 0; j < a.length; j++) maxDiff = Math.max(maxDiff, Math.abs(a[j] - b[j]));
    }
  }
  return { maxDiff, compared };
}

function rowsOf(x: DenseMatrix): Float64Array[] {
  return Array.from({ length: x.rows }, (_, i) => x.data.slice(i * x.cols, (i + 1) * x.cols));
}

const shapeArb = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  cols: fc.integer({ min: 1, max: 14 }),
  maxSamples: fc.integer({ min: 2, max: 300 }),
  bootstrap: fc.boolean(),
  subset: fc.boolean(),
});

describe('leaf tables', () => {
  it('give the recursion’s values per tree within 1e-13, ties on thresholds included', () => {
    fc.assert(
      fc.property(shapeArb, ({ seed, cols, maxSamples, bootstrap, subset }) => {
        const model = fitIsolationForest(data(seed, 320, cols), {
          nEstimators: 6,
          maxSamples: { count: maxSamples },
          maxFeatures: subset ? { fraction: 0.5 } : { fraction: 1 },
          bootstrap,
          randomState: seed,
        });
        const shap = compileShapForest(model.forest);
        const tables = buildLeafTables(shap, Infinity);
        const rows = [...rowsOf(data(seed + 1, 6, cols)), ...thresholdRows(shap, 6, seed)];
        const { maxDiff, compared } = compareTrees(shap, tables, rows);
        expect(compared).toBe(shap.nTrees);
        expect(maxDiff).toBeLessThanOrEqual(1e-13);
      }),
      { numRuns: 40 },
    );
  });

  it('route a missing value (NaN) as the recursion does, by the split’s missing-value child', () => {
    const cols = 6;
    const x = data(31, 400, cols);
    for (let k = 0; k < x.data.length; k += 7) x.data[k] = NaN;
    const model = fitIsolationForest(x, { nEstimators: 8, randomState: 4 });
    const shap = compileShapForest(model.forest);
    expect(shap.missingChild).not.toBeNull();
    const tables = buildLeafTables(shap, Infinity);
    const recursion = new TreeShapWorkspace();
    const lookup = new LeafTableWorkspace();
    const rows = rowsOf(data(32, 12, cols));
    rows.forEach((r, i) => {
      r[i % cols] = NaN;
      if (i % 3 === 0) r[(i + 1) % cols] = NaN;
    });
    const a = new Float64Array(cols);
    const b = new Float64Array(cols);
    let maxDiff = 0;
    let moved = 0;
    for (let t = 0; t < shap.nTrees; t++) {
      for (const row of rows) {
        a.fill(0);
        b.fill(0);
        recursion.explainTree(shap, t, row, a, 0);
        lookup.explainTree(shap, tables, t, row, b, 0, true);
        for (let j = 0; j < cols; j++) maxDiff = Math.max(maxDiff, Math.abs(a[j] - b[j]));
        // Without the flag a NaN compares false and goes right: other values somewhere.
        b.fill(0);
        lookup.explainTree(shap, tables, t, row, b, 0, false);
        for (let j = 0; j < cols; j++) if (Math.abs(a[j] - b[j]) > 1e-9) moved++;
      }
    }
    expect(maxDiff).toBeLessThanOrEqual(1e-13);
    expect(moved).toBeGreaterThan(0);
  });

  it('leave trees with a leaf of more than 12 distinct path features to the recursion', () => {
    // max_samples 8192: trees 13 deep; with 40 columns some leaves have 13 distinct features.
    const cols = 40;
    const model = fitIsolationForest(data(11, 8192, cols), {
      nEstimators: 6,
      maxSamples: { count: 8192 },
      randomState: 5,
    });
    const shap = compileShapForest(model.forest);
    const tables = buildLeafTables(shap, Infinity);
    const x = data(12, 8, cols);
    const rows = rowsOf(x);
    const deep: number[] = [];
    for (let t = 0; t < shap.nTrees; t++) {
      const end = t + 1 < shap.nTrees ? shap.roots[t + 1] : shap.left.length;
      let k = 0;
      for (let g = shap.roots[t]; g < end; g++) {
        if (shap.left[g] < 0) k = Math.max(k, tables.pathFeatures[g]);
      }
      expect(tables.tabled[t]).toBe(k > MAX_TABLED_PATH_FEATURES ? 0 : 1);
      if (k > MAX_TABLED_PATH_FEATURES) deep.push(t);
    }
    expect(deep.length).toBeGreaterThan(0);
    expect(compareTrees(shap, tables, rows).maxDiff).toBeLessThanOrEqual(1e-13);
    // The whole explanation, with those trees on the recursion, is still additive.
    const e = explainSamples(model.forest, x);
    for (let i = 0; i < 8; i++) {
      let s = e.expectedValue;
      for (let j = 0; j < cols; j++) s += e.shapValues[i * cols + j];
      expect(Math.abs(s - e.pathLength[i])).toBeLessThanOrEqual(1e-12);
    }
  });

  it('table trees in order while they fit the budget, and count their bytes', () => {
    const model = fitIsolationForest(data(21, 600, 8), { nEstimators: 10, randomState: 2 });
    const shap = compileShapForest(model.forest);
    const all = buildLeafTables(shap, Infinity);
    expect(Array.from(all.tabled)).toEqual(new Array(10).fill(1));
    const perNode = shap.left.length * (4 + 1 + 4 + 4) + shap.nTrees;
    expect(all.bytes).toBe(
      perNode + all.table.byteLength + all.column.byteLength + all.satisfiedFactor.byteLength,
    );
    const none = buildLeafTables(shap, 0);
    expect(Array.from(none.tabled)).toEqual(new Array(10).fill(0));
    expect(none.table.length).toBe(0);
    expect(none.bytes).toBe(perNode);
    // A budget of about half the tables: a prefix of the trees, each as it would be alone.
    const half = buildLeafTables(shap, (all.bytes - perNode) / 2);
    const tabled = Array.from(half.tabled);
    const k = tabled.indexOf(0);
    expect(k).toBeGreaterThan(0);
    expect(tabled.slice(0, k).every((v) => v === 1)).toBe(true);
    expect(half.bytes - perNode).toBeLessThanOrEqual((all.bytes - perNode) / 2);
    const rows = rowsOf(data(22, 5, 8));
    expect(compareTrees(shap, half, rows).maxDiff).toBeLessThanOrEqual(1e-13);
  });

  it('leave a tree with a zero-weight child to the recursion (no division by a zero ratio)', () => {
    // Root splits column 0 at 0.5; its right child has weight 0 (a sample weight of 0).
    const shap: ShapForest = {
      nTrees: 1,
      nFeatures: 1,
      roots: Int32Array.of(0),
      maxDepth: 1,
      left: Int32Array.of(1, -1, -1),
      right: Int32Array.of(2, -1, -1),
      column: Int32Array.of(0, -2, -2),
      threshold: Float64Array.of(0.5, -2, -2),
      missingChild: null,
      cover: Float64Array.of(4, 4, 0),
      value: Float64Array.of(1, 1, 2),
      expectedValue: 1,
      coversAreCounts: false,
      baseValue: 1,
    };
    expect(buildLeafTables(shap, Infinity).tabled[0]).toBe(0);
  });
});
