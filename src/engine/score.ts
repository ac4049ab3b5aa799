import { compileForest, type CompiledForest } from './compile-forest';
import { InvalidInputError } from './errors';
import type { FlatForest } from './forest';
import { assertFiniteMatrix, assertMatrixShape, type DenseMatrix } from './matrix';
import { buildScoreTables, builtScoreTables, lowerBound, type ScoreTables } from './score-tables';

/**
 * Scoring with scikit-learn 1.2.1's arithmetic (`IsolationForest.score_samples`), after Liu,
 * Ting & Zhou, "Isolation Forest", ICDM 2008 (s(x, ψ) = 2^(-E[h(x)] / c(ψ))):
 *
 * - inputs are rounded to float32 (`Math.fround`), then `x <= threshold` (float64) goes left;
 * - each tree adds `((depth + 1) + c(n_leaf)) - 1.0` to a float64 sum, tree by tree in order;
 * - `score = -(2 ** -(sum / (nEstimators * c(maxSamples))))`, or -0.5 when that denominator
 *   is 0 (a model trained on one row);
 * - `decision = score - offset`, and `predict = -1` exactly when `decision < 0`.
 *
 * Leaves, path-length sums and `predict` match scikit-learn exactly; `score_samples` may differ
 * by a few ulp because V8's `Math.pow` is not glibc's `pow` (see docs/algorithm.md).
 *
 * Speed (the results are the same either way, bit for bit):
 * - rows are scored in blocks, trees in the outer loop so a tree's nodes stay in cache;
 * - a tree is walked branch-free for a fixed number of steps (see `compileForest`), eight rows
 *   at a time so that their dependent loads overlap;
 * - trees that split on at most two columns (all trees of 2-D data) are evaluated through
 *   decision tables instead (`buildScoreTables`): two rank look-ups and a grid look-up per row
 *   and tree. The tables are built once per forest, by `prepareForest` or by the first batch
 *   of at least {@link TABLE_MIN_ROWS} rows; once built they serve batches of every size
 *   (they beat the walk from one row up, about 4x at 100 rows).
 */

/**
 * Batches at least this large build the decision tables (once per forest) if `prepareForest`
 * has not: smaller ones use them only when built, so that scoring a few rows never pays for
 * building them (about 0.1 s for a 100-tree 2-D forest).
 */
export const TABLE_MIN_ROWS = 1024;

/**
 * Blocks of at most this many rows read the rank-major rank maps: their rows' look-ups for
 * consecutive trees share cache lines, which counts when the tables are cold (a request
 * scored between other work). Larger blocks read each tree's compact maps, which stay cached
 * through a pass of four trees over the block.
 */
const RANK_MAJOR_MAX_ROWS = 512;

/** Scratch buffers, reused across calls (scoring is synchronous and single-threaded). */
let rowScratch = new Float64Array(0);
let blockScratch = new Float64Array(0);
let sumScratch = new Float64Array(0);
let rankScratch = new Int32Array(0);

/** Rows per block: about 32K values (256 KB), at least 64 and at most 4096 rows. */
function blockRows(cols: number): number {
  return Math.max(64, Math.min(4096, Math.floor(32768 / cols)));
}

/** Turns a path-length sum into scikit-learn's `score_samples` value. */
function scoreFromSum(sum: number, denominator: number): number {
  return denominator !== 0 ? -Math.pow(2, -(sum / denominator)) : -0.5;
}

/** Validates `out` or allocates it (the spectra `getOutputArray` idiom). */
function outputArray(out: Float64Array | undefined, length: number): Float64Array {
  if (out === undefined) return new Float64Array(length);
  if (out.length < length) {
    throw new InvalidInputError(`output buffer has ${out.length} slots, need ${length}`);
  }
  return out;
}

/**
 * Adds tree t's path term for rows 0..m-1 of `block` (row-major, float32-rounded values) to
 * `sums`, walking the tree branch-free, eight rows at a time.
 */
function walkTree(
  c: CompiledForest,
  t: number,
  block: Float64Array,
  cols: number,
  m: number,
  sums: Float64Array,
): void {
  const { kids, column, threshold, value } = c;
  const root = c.roots[t];
  const depth = c.depths[t];
  let i = 0;
  for (; i + 8 <= m; i += 8) {
    const b0 = i * cols;
    const b1 = b0 + cols;
    const b2 = b1 + cols;
    const b3 = b2 + cols;
    const b4 = b3 + cols;
    const b5 = b4 + cols;
    const b6 = b5 + cols;
    const b7 = b6 + cols;
    let g0 = root;
    let g1 = root;
    let g2 = root;
    let g3 = root;
    let g4 = root;
    let g5 = root;
    let g6 = root;
    let g7 = root;
    for (let l = 0; l < depth; l++) {
      g0 = kids[(g0 << 1) + +(block[b0 + column[g0]] > threshold[g0])];
      g1 = kids[(g1 << 1) + +(block[b1 + column[g1]] > threshold[g1])];
      g2 = kids[(g2 << 1) + +(block[b2 + column[g2]] > threshold[g2])];
      g3 = kids[(g3 << 1) + +(block[b3 + column[g3]] > threshold[g3])];
      g4 = kids[(g4 << 1) + +(block[b4 + column[g4]] > threshold[g4])];
      g5 = kids[(g5 << 1) + +(block[b5 + column[g5]] > threshold[g5])];
      g6 = kids[(g6 << 1) + +(block[b6 + column[g6]] > threshold[g6])];
      g7 = kids[(g7 << 1) + +(block[b7 + column[g7]] > threshold[g7])];
    }
    sums[i] += value[g0];
    sums[i + 1] += value[g1];
    sums[i + 2] += value[g2];
    sums[i + 3] += value[g3];
    sums[i + 4] += value[g4];
    sums[i + 5] += value[g5];
    sums[i + 6] += value[g6];
    sums[i + 7] += value[g7];
  }
  for (; i < m; i++) {
    const b = i * cols;
    let g = root;
    for (let l = 0; l < depth; l++) {
      g = kids[(g << 1) + +(block[b + column[g]] > threshold[g])];
    }
    sums[i] += value[g];
  }
}

/**
 * Sum of tree terms for one row that holds missing values (NaN), walking every tree in order:
 * a NaN takes the node's `missingStep` child, as scikit-learn >= 1.6's `Tree.apply` does.
 * `x[at ..]` holds the row's float32-rounded values with NaN kept.
 */
function walkRowWithMissing(c: CompiledForest, x: Float64Array, at: number): number {
  const { kids, column, threshold, value, roots, depths } = c;
  const step = c.missingStep as Uint8Array;
  let sum = 0;
  for (let t = 0; t < c.nTrees; t++) {
    let g = roots[t];
    for (let l = 0; l < depths[t]; l++) {
      const v = x[at + column[g]];
      g = kids[(g << 1) + (v !== v ? step[g] : +(v > threshold[g]))];
    }
    sum += value[g];
  }
  return sum;
}

/** Validates `x` for this forest: finite values, unless the model accepts missing values. */
function assertScorable(c: CompiledForest, forest: FlatForest, x: DenseMatrix): void {
  if (c.missingStep === null) assertFiniteMatrix(x, forest.nFeatures);
  else assertMatrixShape(x, forest.nFeatures);
}

/** The tables a batch of `rows` rows is scored with (null: walk every tree). */
function tablesFor(c: CompiledForest, rows: number): ScoreTables | null {
  return rows >= TABLE_MIN_ROWS ? buildScoreTables(c) : builtScoreTables(c);
}

/**
 * Sum over trees of `((depth + 1) + c(n_leaf)) - 1.0` for every row of `x` (scikit-learn's
 * internal `depths`), written to `out`, using `tables` where given. `x` must already be
 * validated.
 */
function pathLengthSumsInto(
  c: CompiledForest,
  x: DenseMatrix,
  out: Float64Array,
  tables: ScoreTables | null,
): void {
  const cols = x.cols;
  const data = x.data;
  const rows = x.rows;
  const blockSize = blockRows(cols);
  if (blockScratch.length < blockSize * cols) blockScratch = new Float64Array(blockSize * cols);
  if (sumScratch.length < blockSize) sumScratch = new Float64Array(blockSize);
  const block = blockScratch;
  const sums = sumScratch;

  const missing = c.missingStep !== null;
  for (let start = 0; start < rows; start += blockSize) {
    const m = Math.min(blockSize, rows - start);
    const base = start * cols;
    // numpy's astype(float32), kept as doubles so the hot loops compare doubles directly.
    let withNaN = false;
    if (missing) {
      // A NaN would break the rank search of the tables: it is scored as 0 here and its row
      // scored again below with missing-value routing.
      for (let k = 0; k < m * cols; k++) {
        const v = Math.fround(data[base + k]);
        if (v !== v) {
          withNaN = true;
          block[k] = 0;
        } else block[k] = v;
      }
    } else {
      for (let k = 0; k < m * cols; k++) block[k] = Math.fround(data[base + k]);
    }
    sums.fill(0, 0, m);
    if (tables) {
      for (const group of tables.groups) scoreGroup(c, group, block, cols, m, blockSize, sums);
    } else {
      for (let t = 0; t < c.nTrees; t++) walkTree(c, t, block, cols, m, sums);
    }
    if (withNaN) rescoreRowsWithNaN(c, data, base, cols, m, sums);
    for (let i = 0; i < m; i++) out[start + i] = sums[i];
  }
}

/** Replaces the sums of the block's rows that hold a NaN by their missing-value walk. */
function rescoreRowsWithNaN(
  c: CompiledForest,
  data: Float64Array,
  base: number,
  cols: number,
  m: number,
  sums: Float64Array,
): void {
  if (rowScratch.length < cols) rowScratch = new Float64Array(cols);
  const row = rowScratch;
  for (let i = 0; i < m; i++) {
    let nan = false;
    for (let j = 0; j < cols; j++) {
      const v = Math.fround(data[base + i * cols + j]);
      row[j] = v;
      if (v !== v) nan = true;
    }
    if (nan) sums[i] = walkRowWithMissing(c, row, 0);
  }
}

/** Adds the path terms of one table group's trees (in order) for the rows of a block. */
function scoreGroup(
  c: CompiledForest,
  group: ScoreTables['groups'][number],
  block: Float64Array,
  cols: number,
  m: number,
  blockSize: number,
  sums: Float64Array,
): void {
  const nSlots = group.slotColumns.length;
  const need = (nSlots + 1) * blockSize;
  if (rankScratch.length < need) rankScratch = new Int32Array(need);
  const ranks = rankScratch;
  const maps = m <= RANK_MAJOR_MAX_ROWS ? group.byRank : group.byTree;
  // Global ranks of the block's values for every column the group's tables use, times the
  // slot's stride in the rank maps; the last slot stays all-zero (absent columns).
  for (let s = 0; s < nSlots; s++) {
    const col = group.slotColumns[s];
    const sorted = group.slotThresholds[s];
    const stride = maps.slotStrides[s];
    const at = s * blockSize;
    for (let i = 0; i < m; i++) ranks[at + i] = lowerBound(sorted, block[i * cols + col]) * stride;
  }
  ranks.fill(0, nSlots * blockSize, nSlots * blockSize + m);

  const { grid, leafValues, tabulated, slot0, slot1, gridOff } = group;
  const { map: rankMap, off0: rankOff0, off1: rankOff1 } = maps;
  const first = group.firstTree;
  let t = first;
  while (t < group.endTree) {
    const k = t - first;
    if (tabulated[k] === 0) {
      walkTree(c, t, block, cols, m, sums);
      t++;
    } else if (t + 4 <= group.endTree && tabulated[k + 1] & tabulated[k + 2] & tabulated[k + 3]) {
      // Four tables per pass: the row's running sum stays in a register, and the four terms
      // are still added one after the other in tree order.
      const a0 = slot0[k] * blockSize;
      const a1 = slot1[k] * blockSize;
      const b0 = slot0[k + 1] * blockSize;
      const b1 = slot1[k + 1] * blockSize;
      const c0 = slot0[k + 2] * blockSize;
      const c1 = slot1[k + 2] * blockSize;
      const d0 = slot0[k + 3] * blockSize;
      const d1 = slot1[k + 3] * blockSize;
      const ao0 = rankOff0[k];
      const ao1 = rankOff1[k];
      const bo0 = rankOff0[k + 1];
      const bo1 = rankOff1[k + 1];
      const co0 = rankOff0[k + 2];
      const co1 = rankOff1[k + 2];
      const do0 = rankOff0[k + 3];
      const do1 = rankOff1[k + 3];
      const ag = gridOff[k];
      if (a0 === b0 && a0 === c0 && a0 === d0 && a1 === b1 && a1 === c1 && a1 === d1) {
        // The usual case (all four trees split on the same two columns): read the row's two
        // ranks once.
        const bg0 = gridOff[k + 1];
        const cg0 = gridOff[k + 2];
        const dg0 = gridOff[k + 3];
        for (let i = 0; i < m; i++) {
          const u = ranks[a0 + i];
          const v = ranks[a1 + i];
          let s = sums[i];
          s += leafValues[grid[ag + rankMap[ao0 + u] + rankMap[ao1 + v]]];
          s += leafValues[grid[bg0 + rankMap[bo0 + u] + rankMap[bo1 + v]]];
          s += leafValues[grid[cg0 + rankMap[co0 + u] + rankMap[co1 + v]]];
          s += leafValues[grid[dg0 + rankMap[do0 + u] + rankMap[do1 + v]]];
          sums[i] = s;
        }
        t += 4;
        continue;
      }
      const bg = gridOff[k + 1];
      const cg = gridOff[k + 2];
      const dg = gridOff[k + 3];
      for (let i = 0; i < m; i++) {
        let s = sums[i];
        s += leafValues[grid[ag + rankMap[ao0 + ranks[a0 + i]] + rankMap[ao1 + ranks[a1 + i]]]];
        s += leafValues[grid[bg + rankMap[bo0 + ranks[b0 + i]] + rankMap[bo1 + ranks[b1 + i]]]];
        s += leafValues[grid[cg + rankMap[co0 + ranks[c0 + i]] + rankMap[co1 + ranks[c1 + i]]]];
        s += leafValues[grid[dg + rankMap[do0 + ranks[d0 + i]] + rankMap[do1 + ranks[d1 + i]]]];
        sums[i] = s;
      }
      t += 4;
    } else {
      const r0 = slot0[k] * blockSize;
      const r1 = slot1[k] * blockSize;
      const o0 = rankOff0[k];
      const o1 = rankOff1[k];
      const go = gridOff[k];
      for (let i = 0; i < m; i++) {
        sums[i] += leafValues[grid[go + rankMap[o0 + ranks[r0 + i]] + rankMap[o1 + ranks[r1 + i]]]];
      }
      t++;
    }
  }
}

/**
 * scikit-learn's internal per-row sum of path lengths over trees (before normalisation).
 * Exposed for parity tests and diagnostics.
 */
export function pathLengthSums(
  forest: FlatForest,
  x: DenseMatrix,
  out?: Float64Array,
): Float64Array {
  const c = compileForest(forest);
  assertScorable(c, forest, x);
  const result = outputArray(out, x.rows);
  pathLengthSumsInto(c, x, result, tablesFor(c, x.rows));
  return result;
}

/**
 * {@link pathLengthSums} by walking every tree, never through decision tables: the reference
 * the table path is tested against.
 */
export function walkedPathLengthSums(
  forest: FlatForest,
  x: DenseMatrix,
  out?: Float64Array,
): Float64Array {
  const c = compileForest(forest);
  assertScorable(c, forest, x);
  const result = outputArray(out, x.rows);
  pathLengthSumsInto(c, x, result, null);
  return result;
}

/**
 * `score_samples`: the opposite of the anomaly score of the original paper, in [-1, 0];
 * the lower, the more abnormal. Writes into `out` when given (no allocation).
 */
export function scoreSamples(forest: FlatForest, x: DenseMatrix, out?: Float64Array): Float64Array {
  const result = pathLengthSums(forest, x, out);
  const { denominator } = compileForest(forest);
  for (let i = 0; i < x.rows; i++) result[i] = scoreFromSum(result[i], denominator);
  return result;
}

/** `decision_function`: `score_samples - offset`; negative means anomaly. */
export function decisionFunction(
  forest: FlatForest,
  offset: number,
  x: DenseMatrix,
  out?: Float64Array,
): Float64Array {
  const result = scoreSamples(forest, x, out);
  for (let i = 0; i < x.rows; i++) result[i] = result[i] - offset;
  return result;
}

/** `predict`: -1 for anomalies (`decision_function < 0`), 1 otherwise. */
export function predict(
  forest: FlatForest,
  offset: number,
  x: DenseMatrix,
  out?: Int8Array,
): Int8Array {
  const decision = decisionFunction(forest, offset, x);
  const result = out ?? new Int8Array(x.rows);
  if (result.length < x.rows) {
    throw new InvalidInputError(`output buffer has ${result.length} slots, need ${x.rows}`);
  }
  for (let i = 0; i < x.rows; i++) result[i] = decision[i] < 0 ? -1 : 1;
  return result;
}

/**
 * Scores one row without allocating: returns `score_samples` for `row` (length nFeatures).
 * Validates the row (finite, float32-representable) like the batch functions. Walks four
 * trees at a time (independent chains overlap) and adds their terms in tree order.
 */
export function scoreOne(forest: FlatForest, row: ArrayLike<number>): number {
  const c = compileForest(forest);
  if (row.length !== c.nFeatures) {
    throw new InvalidInputError(
      `X has ${row.length} features, but IsolationForest is expecting ${c.nFeatures} features as input.`,
    );
  }
  if (rowScratch.length < row.length) rowScratch = new Float64Array(row.length);
  const x = rowScratch;
  if (c.missingStep !== null) {
    // Missing values and infinities are accepted; a row with a NaN takes the missing-value walk.
    let nan = false;
    for (let j = 0; j < row.length; j++) {
      const v = Math.fround(row[j]);
      x[j] = v;
      if (v !== v) nan = true;
    }
    if (nan) return scoreFromSum(walkRowWithMissing(c, x, 0), c.denominator);
  } else {
    for (let j = 0; j < row.length; j++) {
      const v = row[j];
      if (!(Math.abs(v) < 3.4028235677973366e38)) {
        // Reuse the batch validator for the exact message.
        assertFiniteMatrix({ data: Float64Array.from(row), rows: 1, cols: row.length });
      }
      x[j] = Math.fround(v);
    }
  }
  const { roots, depths, kids, column, threshold, value } = c;
  const nTrees = c.nTrees;
  let sum = 0;
  let t = 0;
  for (; t + 4 <= nTrees; t += 4) {
    let g0 = roots[t];
    let g1 = roots[t + 1];
    let g2 = roots[t + 2];
    let g3 = roots[t + 3];
    const d = Math.max(depths[t], depths[t + 1], depths[t + 2], depths[t + 3]);
    for (let l = 0; l < d; l++) {
      g0 = kids[(g0 << 1) + +(x[column[g0]] > threshold[g0])];
      g1 = kids[(g1 << 1) + +(x[column[g1]] > threshold[g1])];
      g2 = kids[(g2 << 1) + +(x[column[g2]] > threshold[g2])];
      g3 = kids[(g3 << 1) + +(x[column[g3]] > threshold[g3])];
    }
    sum += value[g0];
    sum += value[g1];
    sum += value[g2];
    sum += value[g3];
  }
  for (; t < nTrees; t++) {
    let g = roots[t];
    for (let l = 0; l < depths[t]; l++) {
      g = kids[(g << 1) + +(x[column[g]] > threshold[g])];
    }
    sum += value[g];
  }
  return scoreFromSum(sum, c.denominator);
}
