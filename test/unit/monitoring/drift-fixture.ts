import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DenseMatrix } from '../../../src/engine';

/** test/fixtures/drift/, made by scripts/gen-drift-fixtures.sh (numpy, pinned). */
export const DRIFT_DIR = join(__dirname, '..', '..', 'fixtures', 'drift');

/** One feature of expected.json's reference. */
export interface ExpectedFeature {
  readonly name: string;
  readonly edges: number[];
  readonly proportions: number[];
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly max: number;
  readonly median: number;
}

/** numpy's results (expected.json). */
export interface DriftExpected {
  readonly bins: number;
  readonly epsilon: number;
  readonly rows: number;
  readonly features: ExpectedFeature[];
  readonly live: Record<
    'shifted' | 'unshifted',
    { name: string; counts: number[]; psi: number; mean: number }[]
  >;
}

/** expected.json. */
export function driftExpected(): DriftExpected {
  return JSON.parse(readFileSync(join(DRIFT_DIR, 'expected.json'), 'utf8')) as DriftExpected;
}

/** A fixture CSV (header, then plain numbers) as a matrix. */
export function driftCsv(name: 'train' | 'live-unshifted' | 'live-shifted'): {
  names: string[];
  x: DenseMatrix;
  rows: number[][];
} {
  const lines = readFileSync(join(DRIFT_DIR, `${name}.csv`), 'utf8')
    .trim()
    .split('\n');
  const names = lines[0].split(',');
  const rows = lines.slice(1).map((line) => line.split(',').map(Number));
  const data = Float64Array.from(rows.flat());
  return { names, rows, x: { data, rows: rows.length, cols: names.length } };
}
