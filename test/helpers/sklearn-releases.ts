// Test helpers for the real scikit-learn 1.3 to 1.9 fixtures in test/fixtures/sklearn-releases
// (written by scripts/sklearn-releases/gen.sh, one folder per release).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** test/fixtures/sklearn-releases. */
export const RELEASES_DIR = join(__dirname, '..', 'fixtures', 'sklearn-releases');

/** One saved form of a case, as the manifest lists it. */
export interface ReleaseFile {
  readonly case: string;
  readonly format: 'p2' | 'p3' | 'p4' | 'p5' | 'joblib' | 'joblib-z3';
  readonly bytes: number;
  readonly sha256: string;
  readonly protocol: number | null;
  /** Globals of a plain pickle (null for joblib files, which pickletools cannot walk). */
  readonly globals: readonly string[] | null;
}

/** A release folder's manifest.json. */
export interface ReleaseManifest {
  readonly versions: Readonly<Record<string, string>>;
  readonly files: Readonly<Record<string, ReleaseFile>>;
  readonly cases: readonly string[];
}

/** JSON cells: null is NaN (missing), "Infinity" / "-Infinity" are infinities. */
export type JsonCell = number | null | 'Infinity' | '-Infinity';

/** One tree as scikit-learn exposes it. */
export interface ReleaseTree {
  readonly random_state: number;
  readonly features: number[];
  readonly children_left: number[];
  readonly children_right: number[];
  readonly feature: number[];
  readonly threshold: number[];
  readonly n_node_samples: number[];
  readonly missing_go_to_left: number[];
  readonly max_depth: number;
  readonly decision_path_lengths: number[];
  readonly average_path_length: number[];
}

/** CASE.json: the configuration, the training data and what the release computed. */
export interface ReleaseCase {
  readonly name: string;
  readonly versions: Readonly<Record<string, string>>;
  readonly params: Record<string, string | number | boolean | null>;
  readonly seed: number;
  readonly data: 'array' | 'frame' | 'nan-array' | 'nan-frame';
  readonly X_train: JsonCell[][];
  readonly fitted: {
    readonly offset_: number;
    readonly max_samples_: number;
    readonly _max_features: number;
    readonly n_features_in_: number;
    readonly _n_samples: number;
    readonly feature_names_in_: string[] | null;
    readonly _seeds: number[];
    readonly state_keys: string[];
  };
  readonly X: JsonCell[][];
  readonly score_samples: number[];
  readonly decision_function: number[];
  readonly predict: number[];
  readonly leaves: number[][];
  readonly path_length_sum: number[];
  readonly special: {
    case: string;
    row: JsonCell[];
    accepted: boolean;
    score_samples?: number[];
    predict?: number[];
    message?: string;
  }[];
  readonly trees: ReleaseTree[];
  readonly files: Readonly<Record<string, string>>;
}

/** The release folders, oldest first (e.g. `1.3.2`). */
export function releases(): string[] {
  return readdirSync(RELEASES_DIR)
    .filter((d) => /^\d+\.\d+\.\d+$/.test(d))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

export function readReleaseManifest(release: string): ReleaseManifest {
  return JSON.parse(
    readFileSync(join(RELEASES_DIR, release, 'manifest.json'), 'utf8'),
  ) as ReleaseManifest;
}

export function readReleaseCase(release: string, name: string): ReleaseCase {
  return JSON.parse(
    readFileSync(join(RELEASES_DIR, release, `${name}.json`), 'utf8'),
  ) as ReleaseCase;
}

/** The exact bytes scikit-learn wrote (stored gzip-compressed unless already zlib). */
export function readReleaseFile(release: string, file: string): Buffer {
  const raw = readFileSync(join(RELEASES_DIR, release, file));
  return file.endsWith('.gz') ? gunzipSync(raw) : raw;
}

/** A JSON cell as a number. */
export function cell(v: JsonCell): number {
  if (v === null) return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return v;
}

/** Rows of JSON cells as a row-major Float64Array. */
export function rowsOf(rows: readonly (readonly JsonCell[])[]): {
  data: Float64Array;
  rows: number;
  cols: number;
} {
  const cols = rows.length === 0 ? 0 : rows[0].length;
  return { data: Float64Array.from(rows.flat(), cell), rows: rows.length, cols };
}

/** `major.minor` of a release string, e.g. [1, 6]. */
export function minor(release: string): [number, number] {
  const [a, b] = release.split('.').map(Number);
  return [a, b];
}

/** Whether `release` is at least `major.minor`. */
export function atLeast(release: string, major: number, min: number): boolean {
  const [a, b] = minor(release);
  return a > major || (a === major && b >= min);
}
