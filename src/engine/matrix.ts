import { InvalidInputError } from './errors';

/** A dense row-major matrix of float64 values: element (i, j) is `data[i * cols + j]`. */
export interface DenseMatrix {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/** Largest float64 that still rounds to a finite float32 (the float32 overflow bound is >= this). */
const FLOAT32_LIMIT = 3.4028235677973366e38;

/**
 * Builds a {@link DenseMatrix} from an array of equally long numeric rows. Copies element by
 * element: `Float64Array#set` costs a builtin call per row, three times the copy itself for the
 * short rows of a request body.
 */
export function matrixFromRows(rows: readonly (readonly number[])[]): DenseMatrix {
  const n = rows.length;
  const cols = n === 0 ? 0 : rows[0].length;
  const data = new Float64Array(n * cols);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    if (row.length !== cols) {
      throw new InvalidInputError(`row ${i} has ${row.length} values, expected ${cols}`, {
        row: i,
      });
    }
    for (let j = 0; j < cols; j++) data[k++] = row[j];
  }
  return { data, rows: n, cols };
}

/**
 * Asserts that `x` is a well-formed matrix of `cols` columns whose values are all finite and
 * representable as float32, the checks scikit-learn's `_validate_data(dtype=float32)` performs.
 * Messages follow scikit-learn's wording so users of both see the same text.
 */
export function assertFiniteMatrix(x: DenseMatrix, cols?: number): void {
  assertMatrixShape(x, cols);
  const data = x.data;
  for (let k = 0; k < data.length; k++) {
    const v = data[k];
    // One comparison catches NaN (false), +-Infinity and float32 overflow.
    if (!(Math.abs(v) < FLOAT32_LIMIT)) throw nonFiniteError(v, k, x.cols);
  }
}

/**
 * The shape checks of {@link assertFiniteMatrix} alone: what scikit-learn >= 1.6 checks for a
 * model that accepts missing values (`ensure_all_finite=False`): NaN is a missing value and
 * infinities (or float32 overflow, which becomes infinity) compare like any other value.
 */
export function assertMatrixShape(x: DenseMatrix, cols?: number): void {
  if (!Number.isInteger(x.rows) || x.rows < 0 || !Number.isInteger(x.cols) || x.cols < 1) {
    throw new InvalidInputError(`invalid matrix shape ${x.rows} x ${x.cols}`);
  }
  if (x.data.length !== x.rows * x.cols) {
    throw new InvalidInputError(
      `matrix data has ${x.data.length} values, expected ${x.rows} x ${x.cols} = ${x.rows * x.cols}`,
    );
  }
  if (cols !== undefined && x.cols !== cols) {
    throw new InvalidInputError(
      `X has ${x.cols} features, but IsolationForest is expecting ${cols} features as input.`,
    );
  }
}

function nonFiniteError(v: number, k: number, cols: number): InvalidInputError {
  const where = { row: Math.floor(k / cols), column: k % cols };
  const at = `(row ${where.row}, column ${where.column})`;
  if (Number.isNaN(v)) return new InvalidInputError(`Input X contains NaN ${at}.`, where);
  if (!Number.isFinite(v)) {
    return new InvalidInputError(
      `Input X contains infinity or a value too large for dtype('float64') ${at}.`,
      where,
    );
  }
  return new InvalidInputError(
    `Input X contains infinity or a value too large for dtype('float32') ${at}.`,
    where,
  );
}
