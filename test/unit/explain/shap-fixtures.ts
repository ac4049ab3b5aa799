// The shap fixtures in test/fixtures/shap (scripts/shap/gen-shap-fixtures.py: real scikit-learn
// 1.2.1 and shap 0.49.1 in a pinned virtual environment).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IsolationForestOptions } from '../../../src/engine';

export const SHAP_DIR = join(__dirname, '..', '..', 'fixtures', 'shap');

/** NAME.json: the training rows, the rows explained and what shap and scikit-learn answered. */
export interface ShapCase {
  readonly name: string;
  readonly params: {
    readonly n_estimators: number;
    readonly max_samples: 'auto' | number;
    readonly max_features: number;
    readonly contamination: 'auto' | number;
    readonly bootstrap: boolean;
    readonly random_state: number;
  };
  readonly X_train: number[][];
  readonly rows: number[][];
  readonly kinds: string[];
  readonly shap_values: number[][];
  readonly expected_value: number;
  /** shap's expected_value with c(n) from glibc's log, as numpy computes it without AVX-512. */
  readonly expected_value_glibc_log: number;
  readonly score_samples: number[];
  readonly decision_function: number[];
  readonly max_samples_: number;
  readonly offset_: number;
}

/** Every case name, in generation order. */
export function shapCaseNames(): string[] {
  return (JSON.parse(readFileSync(join(SHAP_DIR, 'index.json'), 'utf8')) as { cases: string[] })
    .cases;
}

export function loadShapCase(name: string): ShapCase {
  return JSON.parse(readFileSync(join(SHAP_DIR, `${name}.json`), 'utf8')) as ShapCase;
}

export function shapCasePickle(name: string): Uint8Array {
  return readFileSync(join(SHAP_DIR, `${name}.pkl`));
}

/**
 * scikit-learn's parameters as engine options. As in scikit-learn, a float is a fraction and an
 * int a count; JSON loses the difference for 1.0, which only `max_features` uses here.
 */
export function optionsOf(c: ShapCase): IsolationForestOptions {
  const p = c.params;
  const spec = (v: number) =>
    Number.isInteger(v) && v !== 1 ? { count: v } : { fraction: v === 1 ? 1 : v };
  return {
    nEstimators: p.n_estimators,
    maxSamples: p.max_samples === 'auto' ? 'auto' : spec(p.max_samples),
    maxFeatures: spec(p.max_features),
    contamination: p.contamination,
    bootstrap: p.bootstrap,
    randomState: p.random_state,
  };
}
