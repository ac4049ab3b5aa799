// Test helpers for the scikit-learn parity fixtures in test/fixtures/sklearn (see the README in
// /work/shared/fixtures/sklearn, copied fields described in docs/sklearn-import.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlatForest } from '../../../src/engine';

export const SKLEARN_DIR = join(__dirname, '..', '..', 'fixtures', 'sklearn');
export const VARIANTS_DIR = join(__dirname, '..', '..', 'fixtures', 'sklearn-variants');
export const HOSTILE_DIR = join(__dirname, '..', '..', 'fixtures', 'hostile');

/** One binary fixture's manifest entry. */
export interface ManifestFile {
  readonly bytes: number;
  readonly format: 'p2' | 'p4' | 'p5' | 'joblib' | 'joblib-z3';
  readonly protocol: number;
  readonly sha256: string;
  readonly globals: readonly string[];
  readonly opcodes: readonly string[];
}

/** NAME.json: inputs and scikit-learn's outputs. */
export interface ParityCase {
  readonly name: string;
  readonly params: Record<string, string | number | boolean | null>;
  readonly fitted: {
    readonly offset_: number;
    readonly max_samples_: number;
    readonly _max_features: number;
    readonly n_features_in_: number;
    readonly n_estimators: number;
    readonly feature_names_in_: string[] | null;
    readonly estimators_features_: number[][];
    readonly node_counts: number[];
  };
  readonly X: number[][];
  readonly score_samples: number[];
  readonly decision_function: number[];
  readonly predict: number[];
  readonly path_length_sum: number[];
  readonly error_cases: { case: string; X: unknown[][]; message: string }[];
}

/** NAME.trees.json: tree arrays as scikit-learn exposes them. */
export interface TreeDump {
  readonly features: number[];
  readonly children_left: number[];
  readonly children_right: number[];
  readonly feature: number[];
  readonly threshold: number[];
  readonly n_node_samples: number[];
}

export function readManifest(): Record<string, ManifestFile> {
  return (
    JSON.parse(readFileSync(join(SKLEARN_DIR, 'manifest.json'), 'utf8')) as {
      files: Record<string, ManifestFile>;
    }
  ).files;
}

export function readCase(name: string): ParityCase {
  return JSON.parse(readFileSync(join(SKLEARN_DIR, `${name}.json`), 'utf8')) as ParityCase;
}

/** The raw text of NAME.json, to tell `1.0` (float) from `1` (int) as Python wrote them. */
export function readCaseText(name: string): string {
  return readFileSync(join(SKLEARN_DIR, `${name}.json`), 'utf8');
}

export function readTrees(name: string): TreeDump[] | null {
  try {
    return (
      JSON.parse(readFileSync(join(SKLEARN_DIR, `${name}.trees.json`), 'utf8')) as {
        trees: TreeDump[];
      }
    ).trees;
  } catch {
    return null;
  }
}

/** The model name of a fixture file: `d2_n10_auto.joblib-z3.pkl` -> `d2_n10_auto`. */
export function modelName(file: string): string {
  return file.slice(0, file.indexOf('.'));
}

/** Distance in units in the last place between two finite doubles. */
export function ulpDistance(a: number, b: number): number {
  if (Object.is(a, b) || a === b) return 0;
  const view = new DataView(new ArrayBuffer(8));
  const ordered = (x: number): bigint => {
    view.setFloat64(0, x);
    const bits = view.getBigInt64(0);
    // Map the sign-magnitude encoding onto a monotonic integer line.
    return bits < 0n ? -(bits & 0x7fffffffffffffffn) : bits;
  };
  const d = ordered(a) - ordered(b);
  return Number(d < 0n ? -d : d);
}

/** The spacing of doubles at `x` (one ulp). */
export function ulpOf(x: number): number {
  const a = Math.abs(x);
  if (a < Number.MIN_VALUE * 2 ** 52) return Number.MIN_VALUE;
  return 2 ** (Math.floor(Math.log2(a)) - 52);
}

/** Tree `t` of a flat forest as plain arrays, in the trees.json shape. */
export function treeOf(forest: FlatForest, t: number): TreeDump {
  const lo = forest.nodeOffsets[t];
  const hi = forest.nodeOffsets[t + 1];
  const m = forest.maxFeatures;
  return {
    features: Array.from(forest.treeFeatures.subarray(t * m, (t + 1) * m)),
    children_left: Array.from(forest.childrenLeft.subarray(lo, hi)),
    children_right: Array.from(forest.childrenRight.subarray(lo, hi)),
    feature: Array.from(forest.feature.subarray(lo, hi)),
    threshold: Array.from(forest.threshold.subarray(lo, hi)),
    n_node_samples: Array.from(forest.nNodeSamples.subarray(lo, hi)),
  };
}
