import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlatForest } from '../../forest';
import type { DenseMatrix } from '../../matrix';
import type { IsolationForestOptions } from '../../options';
import { RandomState } from '../../random-state';

/** Repository root (tests run with the repository as working directory or from this file). */
const ROOT = join(__dirname, '..', '..', '..', '..');

/** Parses a JSON fixture under test/fixtures/ (its shape is the caller's to state). */
export function loadFixture<T>(relative: string): T {
  return JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', relative), 'utf8')) as T;
}

/** One block of a data recipe (see scripts/gen-sklearn-fixtures.py `run_recipe`). */
interface RecipeBlock {
  dist: 'randn' | 'uniform';
  rows: number;
  cols: number;
  low?: number;
  high?: number;
  scale?: number[];
  floor?: boolean;
  shift?: number[][];
}

/** Data as a fixture describes it: a seeded recipe or explicit values. */
export interface DataSpec {
  rows: number;
  cols: number;
  float32_sha256: string;
  recipe?: { seed: number; blocks: RecipeBlock[] };
  values?: number[][];
}

/** sklearn's `tree_` arrays of one tree, plus `estimators_features_[t]`. */
export interface SklearnTree {
  features: number[];
  children_left: number[];
  children_right: number[];
  feature: number[];
  threshold: number[];
  n_node_samples: number[];
  weighted_n_node_samples: number[];
}

/** A test/fixtures/sklearn-train/NAME.json case written by scripts/gen-sklearn-fixtures.py. */
export interface TrainFixture {
  name: string;
  params: { contamination: 'auto' | number } & Record<string, unknown>;
  options: Partial<IsolationForestOptions>;
  data: DataSpec;
  fit_warnings: string[];
  fitted: {
    max_samples_: number;
    _max_features: number;
    offset_: number;
    n_estimators: number;
    estimators_features_: number[][];
    node_counts: number[];
    max_depths: number[];
    trees_sha256: string;
  };
  trees: SklearnTree[];
  score_rows: number[] | null;
  score_samples: number[];
  path_length_sum: number[];
  predict: number[];
}

/** A shared fixture test/fixtures/sklearn/NAME.json (see its README). */
export interface SharedFixture {
  fitted: {
    offset_: number;
    max_samples_: number;
    _max_features: number;
    n_features_in_: number;
    estimators_features_: number[][];
    node_counts: number[];
    max_depths: number[];
  };
  fit_warnings: string[];
  X: (number | string)[][];
  score_samples: number[];
  decision_function: number[];
  predict: number[];
  path_length_sum: number[];
  threshold_rows: {
    row: number;
    column: number;
    threshold: number;
    float32_goes_left: boolean;
  }[];
  error_cases: { case: string; X: (number | string)[][]; error: string; message: string }[];
}

/** How shared-models.json says to refit a shared fixture's model. */
export interface SharedModelSpec {
  data: DataSpec;
  options: Partial<IsolationForestOptions>;
  trees_sha256: string;
  offset_: number;
}

/** Rebuilds a recipe's matrix with the RandomState port, exactly as numpy evaluates it. */
export function runRecipe(recipe: { seed: number; blocks: RecipeBlock[] }): DenseMatrix {
  const rs = new RandomState(recipe.seed);
  const out: number[] = [];
  let cols = 0;
  for (const b of recipe.blocks) {
    cols = b.cols;
    const v = new Float64Array(b.rows * b.cols);
    for (let k = 0; k < v.length; k++) {
      v[k] = b.dist === 'randn' ? rs.standardNormal() : rs.uniform(b.low, b.high);
    }
    for (let k = 0; k < v.length; k++) {
      if (b.scale) v[k] = v[k] * b.scale[k % b.cols];
      if (b.floor) v[k] = Math.floor(v[k]);
    }
    for (const s of b.shift ?? [null]) {
      for (let k = 0; k < v.length; k++) out.push(s === null ? v[k] : v[k] + s[k % b.cols]);
    }
  }
  return { data: Float64Array.from(out), rows: out.length / cols, cols };
}

/** The training matrix of a fixture, checked against the float32 digest Python recorded. */
export function loadData(spec: DataSpec): DenseMatrix {
  let x: DenseMatrix;
  if (spec.recipe) x = runRecipe(spec.recipe);
  else if (spec.values) {
    x = { data: Float64Array.from(spec.values.flat()), rows: spec.rows, cols: spec.cols };
  } else {
    throw new Error('data spec has neither a recipe nor values');
  }
  const digest = sha256(Float32Array.from(x.data));
  if (x.rows !== spec.rows || x.cols !== spec.cols || digest !== spec.float32_sha256) {
    throw new Error(`regenerated data differ from the fixture's (float32 sha256 ${digest})`);
  }
  return x;
}

/** sha256 (hex) of the concatenated little-endian bytes of typed arrays. */
export function sha256(...arrays: ArrayBufferView[]): string {
  const h = createHash('sha256');
  for (const a of arrays) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return h.digest('hex');
}

/** Tree `t`'s node arrays, sliced out of the forest. */
export function treeOf(forest: FlatForest, t: number) {
  const a = forest.nodeOffsets[t];
  const b = forest.nodeOffsets[t + 1];
  const m = forest.maxFeatures;
  return {
    features: forest.treeFeatures.subarray(t * m, (t + 1) * m),
    childrenLeft: forest.childrenLeft.subarray(a, b),
    childrenRight: forest.childrenRight.subarray(a, b),
    feature: forest.feature.subarray(a, b),
    threshold: forest.threshold.subarray(a, b),
    nNodeSamples: forest.nNodeSamples.subarray(a, b),
  };
}

/**
 * The digest the generator computes over sklearn's trees: per tree, estimators_features_ then
 * children_left, children_right, feature (int32), threshold (float64), n_node_samples (int32).
 */
export function forestDigest(forest: FlatForest): string {
  const parts: ArrayBufferView[] = [];
  for (let t = 0; t < forest.nEstimators; t++) {
    const tr = treeOf(forest, t);
    parts.push(
      tr.features,
      tr.childrenLeft,
      tr.childrenRight,
      tr.feature,
      tr.threshold,
      tr.nNodeSamples,
    );
  }
  return sha256(...parts);
}

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
function ordered(v: number): bigint {
  f64[0] = v;
  const b = i64[0];
  return b < 0n ? -(b & 0x7fffffffffffffffn) : b;
}

/** Distance in units in the last place between two finite doubles. */
export function ulpDistance(a: number, b: number): number {
  const d = ordered(a) - ordered(b);
  return Number(d < 0n ? -d : d);
}

/**
 * Parity tolerance for scores and decisions: at most 4 ulp apart, or 1e-15 apart (decision
 * values near 0 lose relative precision to the subtraction of the offset).
 */
export function closeToSklearn(a: number, b: number): boolean {
  return ulpDistance(a, b) <= 4 || Math.abs(a - b) <= 1e-15;
}

/** Indices where `closeToSklearn` fails (empty when all values are within tolerance). */
export function farFromSklearn(a: ArrayLike<number>, b: readonly number[]): number[] {
  const bad: number[] = [];
  for (let i = 0; i < b.length; i++) if (!closeToSklearn(a[i], b[i])) bad.push(i);
  if (a.length !== b.length) bad.push(-1);
  return bad;
}

/** Decodes the fixtures' JSON encodings of non-finite numbers. */
export function decodeNumber(v: number | string): number {
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return v as number;
}
