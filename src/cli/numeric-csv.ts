import { acceptsMissingValues, type FlatForest } from '../engine/forest';
import type { DenseMatrix } from '../engine/matrix';
import { CliError } from './cli-error';
import { readCsvRecords, type CsvRecord, type ReadCsvOptions } from './read-csv-records';

/** Largest magnitude that still rounds to a finite float32 (the engine computes in float32). */
const FLOAT32_LIMIT = 3.4028235677973366e38;
/** A decimal number: optional sign, digits with an optional point, optional exponent. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;

/** How to pick the columns of a CSV. */
export type ColumnChoice =
  /** Every column, in file order. */
  | { readonly kind: 'all' }
  /** These columns by header name, in this order (extra columns are ignored). */
  | { readonly kind: 'names'; readonly names: readonly string[]; readonly reason: string };

/** Options of {@link NumericCsv}. */
export interface NumericCsvOptions extends ReadCsvOptions {
  /**
   * Read an empty (or blank) cell as a missing value (NaN), for models that accept missing
   * values; otherwise an empty cell is an error that says the model does not accept them.
   * @default false
   */
  readonly allowMissing?: boolean;
}

/** Where a row came from, for messages. */
interface CellPlace {
  readonly path: string;
  readonly line: number;
  readonly column: number;
  readonly name: string;
}

/**
 * A CSV file of numbers with a header row, read as a stream of records. Only the chosen
 * columns are parsed (others may hold anything, e.g. ids or timestamps). Every chosen cell must
 * be a finite decimal number that fits float32; every row must have as many fields as the
 * header. Errors name the file, line and column.
 */
export class NumericCsv {
  /** Names of the chosen columns, in the order their values are returned. */
  readonly names: readonly string[];
  /** Zero-based indices of the chosen columns in each record. */
  private readonly columns: readonly number[];
  private readonly headerLength: number;
  private readonly records: Generator<CsvRecord, void, undefined>;
  private consumed = false;
  private readonly allowMissing: boolean;

  constructor(
    readonly path: string,
    choice: ColumnChoice,
    options: NumericCsvOptions = {},
  ) {
    this.allowMissing = options.allowMissing ?? false;
    this.records = readCsvRecords(path, options);
    const first = this.records.next();
    if (first.done) throw new CliError(`${path} is empty: expected a header row of column names`);
    const header = first.value.fields.map((name) => name.trim());
    this.headerLength = header.length;
    const picked = pickColumns(header, choice, path);
    this.columns = picked;
    this.names = picked.map((j) => header[j]);
  }

  /** Number of chosen columns. */
  get cols(): number {
    return this.columns.length;
  }

  /**
   * Yields the rows in batches of at most `batchRows`, written into one reused buffer: each
   * yielded matrix is only valid until the next one is requested.
   *
   * @throws CliError when the file has no data rows, or at the first bad row.
   */
  *batches(batchRows: number): Generator<DenseMatrix, void, undefined> {
    const cols = this.cols;
    const buffer = new Float64Array(batchRows * cols);
    let rows = 0;
    let total = 0;
    for (const row of this.rows()) {
      this.parseInto(row, buffer, rows * cols);
      rows++;
      total++;
      if (rows === batchRows) {
        yield { data: buffer, rows, cols };
        rows = 0;
      }
    }
    if (total === 0) throw this.noRows();
    if (rows > 0) yield { data: buffer.subarray(0, rows * cols), rows, cols };
  }

  /**
   * Reads every row into one matrix (a Float64Array grown by doubling, never JS arrays of
   * strings): 8 bytes per value plus at most the same again while growing.
   *
   * @param onRows called every `everyRows` rows with the count so far
   */
  readAll(onRows?: (rows: number) => void, everyRows = 250_000): DenseMatrix {
    const cols = this.cols;
    let data = new Float64Array(Math.max(1024, cols) * cols);
    let rows = 0;
    for (const row of this.rows()) {
      if ((rows + 1) * cols > data.length) {
        const grown = new Float64Array(data.length * 2);
        grown.set(data);
        data = grown;
      }
      this.parseInto(row, data, rows * cols);
      rows++;
      if (onRows && rows % everyRows === 0) onRows(rows);
    }
    if (rows === 0) throw this.noRows();
    return { data: data.subarray(0, rows * cols), rows, cols };
  }

  private *rows(): Generator<CsvRecord, void, undefined> {
    if (this.consumed) throw new Error('NumericCsv rows can be read only once');
    this.consumed = true;
    for (const record of this.records) {
      if (record.fields.length !== this.headerLength) {
        throw new CliError(
          `${this.path} line ${record.line}: ${record.fields.length} fields, but the header has ` +
            `${this.headerLength}`,
        );
      }
      yield record;
    }
  }

  private parseInto(record: CsvRecord, out: Float64Array, at: number): void {
    const { fields } = record;
    const columns = this.columns;
    for (let k = 0; k < columns.length; k++) {
      const cell = fields[columns[k]];
      const v = Number(cell);
      // Fast path: Number() accepted it and it is a plain decimal within float32 range.
      if (Math.abs(v) < FLOAT32_LIMIT && DECIMAL.test(cell)) {
        out[at + k] = v;
        continue;
      }
      if (this.allowMissing && cell.trim().length === 0) {
        out[at + k] = NaN;
        continue;
      }
      out[at + k] = parseCell(cell, {
        path: this.path,
        line: record.line,
        column: columns[k] + 1,
        name: this.names[k],
      });
    }
  }

  private noRows(): CliError {
    return new CliError(`${this.path} has a header but no data rows`);
  }
}

/** The slow path of cell parsing: trims blanks, then explains exactly what is wrong. */
function parseCell(raw: string, place: CellPlace): number {
  const cell = raw.trim();
  const where = `${place.path} line ${place.line}, column ${place.column} (${JSON.stringify(place.name)})`;
  if (cell.length === 0) {
    throw new CliError(
      `${where}: empty cell, expected a number (an empty cell is a missing value only for models that accept missing values: scikit-learn >= 1.6)`,
    );
  }
  if (NON_FINITE.test(cell)) {
    throw new CliError(`${where}: ${JSON.stringify(cell)} is not a finite number`);
  }
  if (!DECIMAL.test(cell)) {
    throw new CliError(`${where}: ${JSON.stringify(clip(cell))} is not a number`);
  }
  const v = Number(cell);
  if (!Number.isFinite(v)) {
    throw new CliError(`${where}: ${cell} overflows float64`);
  }
  if (!(Math.abs(v) < FLOAT32_LIMIT)) {
    throw new CliError(
      `${where}: ${cell} is too large for float32 (the model compares float32 values; |x| must be below 3.4028235e38)`,
    );
  }
  return v;
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}

function pickColumns(header: readonly string[], choice: ColumnChoice, path: string): number[] {
  const position = new Map<string, number>();
  const duplicates = new Set<string>();
  header.forEach((name, j) => {
    if (position.has(name)) duplicates.add(name);
    else position.set(name, j);
  });
  if (choice.kind === 'all') {
    const empty = header.indexOf('');
    if (empty !== -1) {
      throw new CliError(
        `${path} line 1: column ${empty + 1} has no name (every feature needs one)`,
      );
    }
    if (duplicates.size > 0) {
      throw new CliError(
        `${path} line 1: the header repeats ${[...duplicates].map((d) => JSON.stringify(d)).join(', ')}`,
      );
    }
    return header.map((_, j) => j);
  }
  const missing = choice.names.filter((name) => !position.has(name));
  if (missing.length > 0) {
    throw new CliError(
      `${path} line 1: no column named ${missing.map((m) => JSON.stringify(m)).join(', ')} ` +
        `(${choice.reason}; the header has ${header.map((h) => JSON.stringify(h)).join(', ')})`,
    );
  }
  const ambiguous = choice.names.filter((name) => duplicates.has(name));
  if (ambiguous.length > 0) {
    throw new CliError(
      `${path} line 1: the header repeats ${ambiguous.map((d) => JSON.stringify(d)).join(', ')}, so the column is ambiguous`,
    );
  }
  return choice.names.map((name) => position.get(name) as number);
}

/**
 * Every row of the CSV at `path` for `model`: the columns named by the model's feature names
 * (every column for an unnamed model), checked against its feature count. An empty cell is a
 * missing value (NaN) when the model's forest accepts them (scikit-learn 1.9), an error otherwise,
 * as with `npm run score`.
 *
 * @throws CliError for a file that cannot be read as such rows.
 */
export function readModelRows(
  path: string,
  model: {
    readonly featureNames: readonly string[] | null;
    readonly nFeatures: number;
    readonly forest: FlatForest;
  },
): DenseMatrix {
  const csv = new NumericCsv(
    path,
    model.featureNames === null
      ? { kind: 'all' }
      : { kind: 'names', names: model.featureNames, reason: "the model's feature names" },
    { allowMissing: acceptsMissingValues(model.forest) },
  );
  const x = csv.readAll();
  if (x.cols !== model.nFeatures) {
    throw new CliError(
      `${path} has ${x.cols} columns but the model expects ${model.nFeatures} features`,
    );
  }
  return x;
}
