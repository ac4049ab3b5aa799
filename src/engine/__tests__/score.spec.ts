import fc from 'fast-check';
import { fitIsolationForest } from '../fit';
import type { DenseMatrix } from '../matrix';
import { RandomState } from '../random-state';
import { compileForest } from '../compile-forest';
import type { FlatForest } from '../forest';
import { prepareForest } from '../prepare-forest';
import { verifyForest } from '../verify-forest';
import {
  pathLengthSums,
  scoreOne,
  scoreSamples,
  TABLE_MIN_ROWS,
  walkedPathLengthSums,
} from '../score';
import { builtScoreTables } from '../score-tables';
import { loadData, loadFixture, type TrainFixture } from './helpers/fixtures';

/**
 * Batches of at least TABLE_MIN_ROWS rows, and batches of any size on a prepared forest, take
 * the decision-table path; `walkedPathLengthSums` always walks the trees. Both must give the
 * same path-length sums bit for bit. These tests pit one against the other.
 */

/** `rows` query rows: the training rows (values on thresholds' doorsteps) and random ones. */
function queries(x: DenseMatrix, rows: number, seed: number): DenseMatrix {
  const rs = new RandomState(seed);
  const data = new Float64Array(rows * x.cols);
  for (let i = 0; i < rows; i++) {
    const src = rs.randint(x.rows);
    for (let j = 0; j < x.cols; j++) {
      const v = x.data[src * x.cols + j];
      const kind = rs.randint(4);
      // Exact training values, float32 neighbours, or a random spread around them.
      data[i * x.cols + j] =
        kind === 0 ? v : kind === 1 ? v * (1 + 2 ** -23) : kind === 2 ? -v : v + rs.uniform(-3, 3);
    }
  }
  return { data, rows, cols: x.cols };
}

/** Path sums of every row by walking the trees. */
function walkedSums(forest: FlatForest, q: DenseMatrix): number[] {
  return Array.from(walkedPathLengthSums(forest, q));
}

/** Rows `start` to `start + rows - 1` of `q`. */
function slice(q: DenseMatrix, start: number, rows: number): DenseMatrix {
  return { data: q.data.subarray(start * q.cols, (start + rows) * q.cols), rows, cols: q.cols };
}

/** Batch sizes below the table threshold: the tails of the 8-row blocks, 100, the threshold - 1. */
const SMALL_BATCHES = [1, 2, 7, 8, 9, 63, 100, TABLE_MIN_ROWS - 1];

/** Path sums of `q` scored in consecutive batches of the {@link SMALL_BATCHES} sizes. */
function smallBatchSums(forest: FlatForest, q: DenseMatrix): number[] {
  const out: number[] = [];
  let start = 0;
  for (let k = 0; start < q.rows; k++) {
    const m = Math.min(SMALL_BATCHES[k % SMALL_BATCHES.length], q.rows - start);
    out.push(...pathLengthSums(forest, slice(q, start, m)));
    start += m;
  }
  return out;
}

describe('decision tables equal the tree walk, at every batch size', () => {
  const n = TABLE_MIN_ROWS + 77;

  it.each([
    ['2-D, 100 trees', 'd2_defaults', {}],
    ['2-D bootstrap', 'd2_bootstrap', {}],
    ['5-D, 3 columns per tree (walked)', 'd5_mf06', {}],
    ['5-D, 2 columns per tree (tabulated)', 'd5_mf2', {}],
    ['5-D, 1 column per tree', 'd5_mf1', {}],
    ['duplicates, constant columns, multi-sample leaves', 'edge_dups_const', {}],
    ['single-leaf trees', 'one_row', {}],
    ['2-D, 1e-30 / 1e30 scales', 'wide_scales', {}],
    ['2-D, 130 trees (two table groups)', 'd2_defaults', { nEstimators: 130 }],
    [
      '2-D, trees too large to tabulate',
      'tracking_30k',
      { maxSamples: { count: 6000 }, nEstimators: 3 },
    ],
  ])('%s', (_label, name, extra) => {
    const fx = loadFixture<TrainFixture>(`sklearn-train/${name}.json`);
    const x = loadData(fx.data);
    const { forest } = fitIsolationForest(x, { ...fx.options, ...extra });
    const q = queries(x, n, 99);
    const walked = walkedSums(forest, q);
    // Small batches of an unprepared forest walk; then the large batch builds the tables.
    expect(builtScoreTables(compileForest(forest))).toBeNull();
    expect(smallBatchSums(forest, q)).toEqual(walked);
    expect(Array.from(pathLengthSums(forest, q))).toEqual(walked);
    // Now that they are built, small batches use the tables too.
    expect(builtScoreTables(compileForest(forest))).not.toBeNull();
    expect(smallBatchSums(forest, q)).toEqual(walked);
  });

  it('holds for random data and options (fast-check)', () => {
    const value = fc.oneof(
      fc.integer({ min: -3, max: 3 }),
      fc.double({ min: -100, max: 100, noNaN: true }),
    );
    const arb = fc.integer({ min: 1, max: 3 }).chain((cols) =>
      fc.record({
        rows: fc.array(fc.array(value, { minLength: cols, maxLength: cols }), {
          minLength: 1,
          maxLength: 50,
        }),
        nEstimators: fc.integer({ min: 1, max: 70 }),
        maxFeatures: fc.integer({ min: 1, max: cols }),
        bootstrap: fc.boolean(),
        randomState: fc.nat(),
      }),
    );
    fc.assert(
      fc.property(arb, ({ rows, nEstimators, maxFeatures, bootstrap, randomState }) => {
        const x = { data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0].length };
        const { forest } = fitIsolationForest(x, {
          nEstimators,
          maxFeatures: { count: maxFeatures },
          bootstrap,
          randomState,
        });
        const q = queries(x, n, randomState);
        const walked = walkedSums(forest, q);
        expect(Array.from(pathLengthSums(forest, q))).toEqual(walked);
        expect(smallBatchSums(forest, q)).toEqual(walked);
      }),
      { numRuns: 25 },
    );
  });

  it('prepareForest builds the tables, after which small batches use them', () => {
    const fx = loadFixture<TrainFixture>('sklearn-train/d2_defaults.json');
    const x = loadData(fx.data);
    const { forest } = fitIsolationForest(x, fx.options);
    const q = queries(x, 500, 7);
    const walked = walkedSums(forest, q);
    prepareForest(forest);
    const tables = builtScoreTables(compileForest(forest));
    expect(tables).not.toBeNull();
    // Every tree of 2-D data is tabulated, so these batches never walk a tree.
    expect(tables!.groups.every((g) => g.tabulated.every((v) => v === 1))).toBe(true);
    expect(smallBatchSums(forest, q)).toEqual(walked);
    const scores = scoreSamples(forest, slice(q, 0, 100));
    const one = Array.from({ length: 100 }, (_, i) => scoreOne(forest, slice(q, i, 1).data));
    expect(Array.from(scores)).toEqual(one);
  });

  it('keeps at most 256 distinct leaf terms per table group, and walks a tree with more', () => {
    // Hand-built 2-D forest: 200 trees of three leaves with sample counts no other tree has
    // (600 distinct path terms), then one comb tree of 300 leaves on column 0.
    const trees: {
      left: number[];
      right: number[];
      feature: number[];
      threshold: number[];
      n: number[];
    }[] = [];
    for (let t = 0; t < 200; t++) {
      const [a, b, c] = [3 * t + 2, 3 * t + 3, 3 * t + 4];
      trees.push({
        left: [1, 3, -1, -1, -1],
        right: [2, 4, -1, -1, -1],
        feature: [0, 1, -2, -2, -2],
        threshold: [0.25 * (t % 7) - 0.5, 0.5 - 0.125 * (t % 5), -2, -2, -2],
        n: [a + b + c, b + c, a, b, c],
      });
    }
    const comb = {
      left: [] as number[],
      right: [] as number[],
      feature: [] as number[],
      threshold: [] as number[],
      n: [] as number[],
    };
    for (let i = 0; i < 299; i++) {
      // Node 2i splits x0 <= i/100: left a leaf of i + 2 samples, right the next split.
      comb.left.push(2 * i + 1, -1);
      comb.right.push(2 * i + 2, -1);
      comb.feature.push(0, -2);
      comb.threshold.push(i / 100, -2);
      comb.n.push(0, i + 2);
    }
    comb.left.push(-1);
    comb.right.push(-1);
    comb.feature.push(-2);
    comb.threshold.push(-2);
    comb.n.push(1);
    for (let i = 596; i >= 0; i -= 2) comb.n[i] = comb.n[i + 1] + comb.n[i + 2];
    trees.push(comb);
    const offsets = [0];
    for (const t of trees) offsets.push(offsets[offsets.length - 1] + t.left.length);
    const forest: FlatForest = {
      nEstimators: trees.length,
      nFeatures: 2,
      maxSamples: 256,
      maxFeatures: 2,
      treeFeatures: Int32Array.from(trees.flatMap(() => [0, 1])),
      nodeOffsets: Int32Array.from(offsets),
      childrenLeft: Int32Array.from(trees.flatMap((t) => t.left)),
      childrenRight: Int32Array.from(trees.flatMap((t) => t.right)),
      feature: Int32Array.from(trees.flatMap((t) => t.feature)),
      threshold: Float64Array.from(trees.flatMap((t) => t.threshold)),
      nNodeSamples: Int32Array.from(trees.flatMap((t) => t.n)),
    };
    verifyForest(forest);
    prepareForest(forest);
    const { groups } = builtScoreTables(compileForest(forest))!;
    // 85 trees bring 255 terms; the 86th would pass 256, so it starts the next group. The
    // comb tree does not fit beside the last 30 either, and alone it has 300: it is walked.
    expect(groups.map((g) => g.endTree - g.firstTree)).toEqual([85, 85, 30, 1]);
    expect(groups.map((g) => g.leafValues.length)).toEqual([255, 255, 90, 0]);
    expect(groups.map((g) => g.tabulated.reduce((n, v) => n + v, 0))).toEqual([85, 85, 30, 0]);
    // Rows on, just beside and between every threshold of both columns.
    const values = [-1, -0.5, -0.25, 0, 0.125, 0.25, 0.375, 0.5, 1, 2.5, 3];
    const rows: number[] = [];
    for (const u of values) {
      for (const v of values) rows.push(u, v, Math.fround(u + 1e-7), v, u, Math.fround(v - 1e-7));
    }
    for (let i = 0; i < 320; i++) rows.push(i / 100 - 0.2, (i % 9) / 8 - 0.5);
    const q = { data: Float64Array.from(rows), rows: rows.length / 2, cols: 2 };
    const walked = walkedSums(forest, q);
    expect(smallBatchSums(forest, q)).toEqual(walked);
    expect(Array.from(pathLengthSums(forest, q))).toEqual(walked);
  });

  it('scores a large batch like scoreOne on every row', () => {
    const fx = loadFixture<TrainFixture>('sklearn-train/d2_c005.json');
    const x = loadData(fx.data);
    const { forest } = fitIsolationForest(x, fx.options);
    const q = queries(x, n, 5);
    const batch = scoreSamples(forest, q);
    const one = Array.from({ length: q.rows }, (_, i) =>
      scoreOne(forest, q.data.subarray(i * q.cols, (i + 1) * q.cols)),
    );
    expect(Array.from(batch)).toEqual(one);
  });

  it('scores all 30,000 training rows of tracking_30k like sklearn on its sampled rows', () => {
    const fx = loadFixture<TrainFixture>('sklearn-train/tracking_30k.json');
    const x = loadData(fx.data);
    const { forest } = fitIsolationForest(x, fx.options);
    const sums = pathLengthSums(forest, x);
    expect(fx.score_rows!.map((r) => sums[r])).toEqual(fx.path_length_sum);
  });
});

describe('scoring input checks', () => {
  const { forest } = fitIsolationForest(
    { data: Float64Array.from([0, 1, 2, 3, 4, 5]), rows: 3, cols: 2 },
    { nEstimators: 3 },
  );

  it('rejects a too-small output buffer', () => {
    const x = { data: new Float64Array(4), rows: 2, cols: 2 };
    expect(() => scoreSamples(forest, x, new Float64Array(1))).toThrow('output buffer has 1 slots');
  });

  it('scoreOne rejects a wrong-length or non-finite row with sklearn wording', () => {
    expect(() => scoreOne(forest, [1, 2, 3])).toThrow(
      'X has 3 features, but IsolationForest is expecting 2 features as input.',
    );
    expect(() => scoreOne(forest, [1, NaN])).toThrow('Input X contains NaN');
    expect(() => scoreOne(forest, [3.5e38, 0])).toThrow("dtype('float32')");
  });

  it('scores an empty batch as an empty result', () => {
    expect(scoreSamples(forest, { data: new Float64Array(0), rows: 0, cols: 2 })).toHaveLength(0);
  });
});
