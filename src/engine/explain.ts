import { averagePathLength } from './average-path-length';
import { compileForest } from './compile-forest';
import { InvalidInputError } from './errors';
import { cellOf, explainPlan, type ExplainPlan } from './explain-cells';
import { acceptsMissingValues, type FlatForest } from './forest';
import { assertFiniteMatrix, assertMatrixShape, type DenseMatrix } from './matrix';
import { pathLengthSums } from './score';
import { compileShapForest, type ShapForest } from './shap-forest';
import { TreeShapWorkspace } from './tree-shap';
import { leafTables, LeafTableWorkspace, type ShapLeafTables } from './tree-shap-tables';

/**
 * Explanations of rows, in the units of the mean path length f(x) = E[h(x)]. For row i:
 * `pathLength[i] = baseValue + sum_j shapValues[i * nFeatures + j]` (to rounding).
 */
export interface Explanations {
  /** Rows explained. */
  readonly rows: number;
  /** Columns of the model, the stride of `shapValues`. */
  readonly nFeatures: number;
  /** Row-major Shapley values phi, in the model's column order. Negative: toward "anomalous". */
  readonly shapValues: Float64Array;
  /** f(x), the mean path length over trees the served score is computed from. */
  readonly pathLength: Float64Array;
  /**
   * The base value E with `f(x) = E + sum(phi)`: shap's `expected_value` (the forest's mean
   * path length of its own training sub-samples), or for models whose covers are not their
   * sample counts (bootstrap, sample weights) the constant `f(x) - sum(phi)`. See
   * `ShapForest.baseValue`.
   */
  readonly expectedValue: number;
  /** shap's `expected_value`, which differs from `expectedValue` only for such models. */
  readonly shapExpectedValue: number;
  /** c(max_samples_): `score_samples = -2^(-pathLength / c)`. */
  readonly normalizer: number;
}

const workspace = new TreeShapWorkspace();
const tableWorkspace = new LeafTableWorkspace();
let rowScratch = new Float64Array(0);
let treeScratch = new Float64Array(0);

/**
 * Explains every row of `x` with path-dependent TreeSHAP (see `tree-shap.ts`), exactly as
 * shap's `TreeExplainer(isolation_forest).shap_values(X)` computes it for float32-representable
 * rows: the same conversion of each tree (`shap-forest.ts`), the same algorithm, the same
 * order of floating-point operations (agreement to about 1e-15).
 *
 * One deliberate difference: rows are rounded to float32 before they are routed, exactly as
 * scoring (and scikit-learn's `score_samples`) does, so that an explanation always describes
 * the prediction that was served. shap routes the float64 values, which can differ when a
 * threshold falls between x and float32(x) (shap issue #4847).
 *
 * `pathLength` comes from the scorer (`pathLengthSums / nEstimators`), so
 * `-2^(-pathLength / normalizer)` is the served `score_samples` to within an ulp or two.
 *
 * Missing values: for a model that accepts them (scikit-learn >= 1.6, native fits on data with
 * NaN), a NaN takes each split's `missing_go_to_left` child, as shap's `children_default` does,
 * and infinities compare like any value; other models refuse non-finite values, as scoring does.
 *
 * Cost per row and tree: one pass over the tree's nodes and K table lookups per leaf (K <= D
 * distinct features on its path) with the per-leaf tables of `tree-shap-tables.ts`, else (a
 * leaf with more than 12 distinct path features, or past the tables' memory budget) the
 * O(L * D^2) recursion of `tree-shap.ts`. Trees that split on few columns are memoised per cell
 * of their threshold grid (`explain-cells.ts`): two binary searches per tree once the cell was
 * seen. A memoised tree's values are summed on their own and then added to the row's, whether
 * they were memoised yet or not, so the result does not depend on what was explained before.
 *
 * @throws InvalidInputError for a malformed matrix, a wrong column count or non-finite values
 *   the model does not accept
 * @throws ExplanationUnavailableError when the forest has no node weights (version-1 artifact)
 */
export function explainSamples(forest: FlatForest, x: DenseMatrix): Explanations {
  const shapValues = shapValuesOf(forest, x);
  const shap = compileShapForest(forest);
  return {
    rows: x.rows,
    nFeatures: x.cols,
    shapValues,
    pathLength: meanPathLengths(forest, x),
    expectedValue: shap.baseValue,
    shapExpectedValue: shap.expectedValue,
    normalizer: averagePathLength(forest.maxSamples),
  };
}

/**
 * The Shapley values alone of {@link explainSamples} (row-major, `x.rows * nFeatures`), written
 * into `out` when given: what a caller that already has the scores needs.
 *
 * @throws InvalidInputError for a malformed matrix, a wrong column count or non-finite values
 *   the model does not accept
 * @throws ExplanationUnavailableError when the forest has no node weights (version-1 artifact)
 */
export function shapValuesOf(forest: FlatForest, x: DenseMatrix, out?: Float64Array): Float64Array {
  assertExplainable(forest, x);
  const shap = compileShapForest(forest);
  const cols = x.cols;
  const rows = x.rows;
  const shapValues = out ?? new Float64Array(rows * cols);
  if (shapValues.length < rows * cols) {
    throw new InvalidInputError(
      `output buffer has ${shapValues.length} slots, need ${rows * cols}`,
    );
  }
  shapValues.fill(0, 0, rows * cols);
  if (rowScratch.length < cols) rowScratch = new Float64Array(cols);
  if (treeScratch.length < cols) treeScratch = new Float64Array(cols);
  const row = rowScratch;
  const plan = explainPlan(shap);
  const tables = leafTables(shap);
  const acceptsMissing = shap.missingChild !== null;
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    let missing = false;
    for (let j = 0; j < cols; j++) {
      const v = Math.fround(x.data[base + j]);
      row[j] = v;
      if (v !== v) missing = acceptsMissing;
    }
    explainRow(plan, shap, tables, row, shapValues, base, missing);
  }
  return shapValues;
}

/**
 * Validates `x` as scoring does: finite values, unless the model accepts missing values (NaN,
 * routed by each split's `missing_go_to_left`) and infinities.
 */
function assertExplainable(forest: FlatForest, x: DenseMatrix): void {
  if (acceptsMissingValues(forest)) assertMatrixShape(x, forest.nFeatures);
  else assertFiniteMatrix(x, forest.nFeatures);
}

/**
 * Adds every tree's values for one float32-rounded row to `out[base + column]`. A row with a
 * missing value (`missing`) bypasses the cell memo: its cell does not decide where NaN goes.
 */
function explainRow(
  plan: ExplainPlan,
  shap: ShapForest,
  tables: ShapLeafTables,
  row: Float64Array,
  out: Float64Array,
  base: number,
  missing: boolean,
): void {
  const tmp = treeScratch;
  for (let t = 0; t < shap.nTrees; t++) {
    const columns = plan.treeColumns[t];
    const tc = plan.cells[t];
    if (tc === null) {
      // Never memoised: straight into the row's values, as shap adds every tree's terms.
      explainTree(shap, tables, t, row, out, base, missing);
      continue;
    }
    const k = columns.length;
    if (missing) {
      // Summed on its own first, as a memoised tree's values are.
      explainTree(shap, tables, t, row, tmp, 0, true);
      for (let j = 0; j < k; j++) {
        out[base + columns[j]] += tmp[columns[j]];
        tmp[columns[j]] = 0;
      }
      continue;
    }
    if (tc.values === null || tc.filled === null) {
      tc.values = new Float64Array(tc.cells * k);
      tc.filled = new Uint8Array(tc.cells);
    }
    const cell = cellOf(tc, row);
    const at = cell * k;
    if (tc.filled[cell] === 0) {
      explainTree(shap, tables, t, row, tmp, 0, false);
      for (let j = 0; j < k; j++) {
        tc.values[at + j] = tmp[columns[j]];
        tmp[columns[j]] = 0;
      }
      tc.filled[cell] = 1;
    }
    for (let j = 0; j < k; j++) out[base + columns[j]] += tc.values[at + j];
  }
}

/**
 * Adds tree `t`'s values for the row to `phi[offset + column]`: by its leaf tables, else (a leaf
 * with too many path features, or past the memory budget) by the recursion.
 */
function explainTree(
  shap: ShapForest,
  tables: ShapLeafTables,
  t: number,
  row: Float64Array,
  phi: Float64Array,
  offset: number,
  missing: boolean,
): void {
  if (tables.tabled[t] === 1) {
    tableWorkspace.explainTree(shap, tables, t, row, phi, offset, missing);
  } else {
    workspace.explainTree(shap, t, row, phi, offset);
  }
}

/**
 * f(x) for every row of `x`: the mean path length over the trees (scikit-learn's internal
 * per-row sum divided by `nEstimators`), the quantity explanations decompose;
 * `score_samples = -2^(-f / c(max_samples))`.
 */
export function meanPathLengths(forest: FlatForest, x: DenseMatrix): Float64Array {
  // The scorer routes missing values; the direct walk below is for finite rows.
  if (x.rows > FEW_ROWS || acceptsMissingValues(forest)) {
    const sums = pathLengthSums(forest, x);
    for (let i = 0; i < sums.length; i++) sums[i] /= forest.nEstimators;
    return sums;
  }
  // A few rows: walk the compiled trees directly (the batch scorer's block set-up costs more
  // than the walk). Same leaf terms added in the same tree order: the same doubles.
  assertFiniteMatrix(x, forest.nFeatures);
  const { roots, depths, kids, column, threshold, value, nTrees } = compileForest(forest);
  const out = new Float64Array(x.rows);
  const cols = x.cols;
  if (rowScratch.length < cols) rowScratch = new Float64Array(cols);
  const row = rowScratch;
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < cols; j++) row[j] = Math.fround(x.data[i * cols + j]);
    let sum = 0;
    for (let t = 0; t < nTrees; t++) {
      let g = roots[t];
      for (let l = 0; l < depths[t]; l++) g = kids[(g << 1) + +(row[column[g]] > threshold[g])];
      sum += value[g];
    }
    out[i] = sum / forest.nEstimators;
  }
  return out;
}

/** Batches up to this many rows get their path lengths by a direct walk. */
const FEW_ROWS = 16;

/** The per-model constants of an explanation (see {@link Explanations}). */
export interface ExplanationBase {
  readonly expectedValue: number;
  readonly shapExpectedValue: number;
  readonly normalizer: number;
}

/**
 * The base value and normaliser of the forest's explanations, without explaining a row.
 *
 * @throws ExplanationUnavailableError when the forest has no node weights
 */
export function explanationBase(forest: FlatForest): ExplanationBase {
  const shap = compileShapForest(forest);
  return {
    expectedValue: shap.baseValue,
    shapExpectedValue: shap.expectedValue,
    normalizer: averagePathLength(forest.maxSamples),
  };
}

/**
 * Whether `explainSamples` can explain this forest (it has per-node weights), without throwing.
 */
export function canExplain(forest: FlatForest): boolean {
  return forest.weightedNNodeSamples !== undefined;
}
