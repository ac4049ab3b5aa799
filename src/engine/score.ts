import { averagePathLength } from './average-path-length';
import { InvalidInputError } from './errors';
import type { FlatForest } from './forest';
import { assertFiniteMatrix, type DenseMatrix } from './matrix';

/**
 * Scoring with scikit-learn 1.2.1's arithmetic (`IsolationForest.score_samples`):
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
 * For speed the forest is compiled once (cached per forest) into parallel arrays with global
 * node ids, global input columns and the per-leaf path term precomputed; rows are scored in
 * blocks with trees in the outer loop so a tree's nodes stay in cache.
 */

/** Rows scored per block: large enough to amortise a tree's cache misses, small enough to stay in L1/L2. */
const BLOCK_ROWS = 128;

/** A forest prepared for fast traversal. Internal; derived data only. */
interface CompiledForest {
  /** Global node id of each tree's root. */
  readonly roots: Int32Array;
  /** Input column tested at the node, or -1 at a leaf. */
  readonly column: Int32Array;
  /** Global node id of the left / right child. */
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** Threshold at an internal node; `((depth + 1) + c(n)) - 1.0` at a leaf. */
  readonly value: Float64Array;
  /** `nEstimators * c(maxSamples)`. */
  readonly denominator: number;
  readonly nFeatures: number;
  /** Scratch row for one-row scoring (float32 rounding happens on store). */
  readonly rowScratch: Float32Array;
  /** Scratch block for batch scoring. */
  readonly blockScratch: Float32Array;
  readonly sumScratch: Float64Array;
}

const compiled = new WeakMap<FlatForest, CompiledForest>();

function compile(forest: FlatForest): CompiledForest {
  const cached = compiled.get(forest);
  if (cached) return cached;
  const nNodes = forest.nodeOffsets[forest.nEstimators];
  const column = new Int32Array(nNodes);
  const left = new Int32Array(nNodes);
  const right = new Int32Array(nNodes);
  const value = new Float64Array(nNodes);
  const roots = new Int32Array(forest.nEstimators);
  const depth = new Int32Array(nNodes);
  const useSubset = forest.maxFeatures !== forest.nFeatures;
  for (let t = 0; t < forest.nEstimators; t++) {
    const base = forest.nodeOffsets[t];
    const end = forest.nodeOffsets[t + 1];
    roots[t] = base;
    depth[base] = 0;
    // Children always have larger ids than their parent (checked when a forest is loaded),
    // so one forward pass assigns every depth before it is read.
    for (let g = base; g < end; g++) {
      const l = forest.childrenLeft[g];
      if (l < 0) {
        column[g] = -1;
        left[g] = g;
        right[g] = g;
        value[g] = depth[g] + 1 + averagePathLength(forest.nNodeSamples[g]) - 1.0;
      } else {
        const r = forest.childrenRight[g];
        const f = forest.feature[g];
        column[g] = useSubset ? forest.treeFeatures[t * forest.maxFeatures + f] : f;
        left[g] = base + l;
        right[g] = base + r;
        value[g] = forest.threshold[g];
        depth[base + l] = depth[g] + 1;
        depth[base + r] = depth[g] + 1;
      }
    }
  }
  const c = compiledFrom(forest, roots, column, left, right, value);
  compiled.set(forest, c);
  return c;
}

function compiledFrom(
  forest: FlatForest,
  roots: Int32Array,
  column: Int32Array,
  left: Int32Array,
  right: Int32Array,
  value: Float64Array,
): CompiledForest {
  return {
    roots,
    column,
    left,
    right,
    value,
    denominator: forest.nEstimators * averagePathLength(forest.maxSamples),
    nFeatures: forest.nFeatures,
    rowScratch: new Float32Array(forest.nFeatures),
    blockScratch: new Float32Array(BLOCK_ROWS * forest.nFeatures),
    sumScratch: new Float64Array(BLOCK_ROWS),
  };
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
 * Sum over trees of `((depth + 1) + c(n_leaf)) - 1.0` for every row of `x` (scikit-learn's
 * internal `depths`), written to `out`. `x` must already be validated.
 */
function pathLengthSumsInto(c: CompiledForest, x: DenseMatrix, out: Float64Array): void {
  const { roots, column, left, right, value } = c;
  const cols = x.cols;
  const data = x.data;
  const block = c.blockScratch;
  const sums = c.sumScratch;
  const nTrees = roots.length;
  for (let start = 0; start < x.rows; start += BLOCK_ROWS) {
    const m = Math.min(BLOCK_ROWS, x.rows - start);
    // Float32Array stores round to nearest even: this is numpy's astype(float32).
    block.set(data.subarray(start * cols, (start + m) * cols));
    sums.fill(0, 0, m);
    for (let t = 0; t < nTrees; t++) {
      const root = roots[t];
      for (let i = 0; i < m; i++) {
        const rowBase = i * cols;
        let node = root;
        let col = column[node];
        while (col >= 0) {
          node = block[rowBase + col] <= value[node] ? left[node] : right[node];
          col = column[node];
        }
        sums[i] += value[node];
      }
    }
    for (let i = 0; i < m; i++) out[start + i] = sums[i];
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
  assertFiniteMatrix(x, forest.nFeatures);
  const result = outputArray(out, x.rows);
  pathLengthSumsInto(compile(forest), x, result);
  return result;
}

/**
 * `score_samples`: the opposite of the anomaly score of the original paper, in [-1, 0];
 * the lower, the more abnormal. Writes into `out` when given (no allocation).
 */
export function scoreSamples(forest: FlatForest, x: DenseMatrix, out?: Float64Array): Float64Array {
  assertFiniteMatrix(x, forest.nFeatures);
  const result = outputArray(out, x.rows);
  const c = compile(forest);
  pathLengthSumsInto(c, x, result);
  for (let i = 0; i < x.rows; i++) result[i] = scoreFromSum(result[i], c.denominator);
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
 * Validates the row (finite, float32-representable) like the batch functions.
 */
export function scoreOne(forest: FlatForest, row: ArrayLike<number>): number {
  const c = compile(forest);
  if (row.length !== c.nFeatures) {
    throw new InvalidInputError(
      `X has ${row.length} features, but IsolationForest is expecting ${c.nFeatures} features as input.`,
    );
  }
  const x = c.rowScratch;
  for (let j = 0; j < row.length; j++) {
    const v = row[j];
    if (!(Math.abs(v) < 3.4028235677973366e38)) {
      // Reuse the batch validator for the exact message.
      assertFiniteMatrix({
        data: Float64Array.from(row),
        rows: 1,
        cols: row.length,
      });
    }
    x[j] = v;
  }
  const { roots, column, left, right, value } = c;
  let sum = 0;
  for (let t = 0; t < roots.length; t++) {
    let node = roots[t];
    let col = column[node];
    while (col >= 0) {
      node = x[col] <= value[node] ? left[node] : right[node];
      col = column[node];
    }
    sum += value[node];
  }
  return scoreFromSum(sum, c.denominator);
}
