import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  averagePathLength,
  explainSamples,
  InvalidInputError,
  scoreSamples,
  type DenseMatrix,
} from '../../../src/engine';
import { importSklearnModel } from '../../../src/sklearn';
import { ulpDistance } from '../sklearn/sklearn-fixtures';

/**
 * Explanations of models that accept missing values, against the real shap
 * (test/fixtures/shap-missing, scripts/shap/gen-shap-missing-fixtures.py: scikit-learn 1.6.1 and
 * shap 0.49.1). A NaN takes each split's `missing_go_to_left` child in scikit-learn's scoring and
 * in shap's TreeSHAP (`children_default`); infinities compare like any value. `explainSamples`
 * must give shap's values within 1e-12, stay additive, and agree with the served score.
 */

const DIR = join(__dirname, '..', '..', 'fixtures', 'shap-missing');

interface MissingCase {
  readonly rows: (number | string | null)[][];
  readonly kinds: string[];
  readonly shap_values: number[][];
  readonly expected_value: number;
  readonly expected_value_glibc_log: number;
  readonly score_samples: number[];
  readonly max_samples_: number;
  readonly versions: { readonly sklearn: string };
}

/** JSON cells back to doubles: null is NaN (missing), "inf" and "-inf" infinities. */
function cell(v: number | string | null): number {
  if (v === null) return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return v as number;
}

const names = (JSON.parse(readFileSync(join(DIR, 'index.json'), 'utf8')) as { cases: string[] })
  .cases;

describe.each(names)('%s', (name) => {
  const c = JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as MissingCase;
  const forest = importSklearnModel(readFileSync(join(DIR, `${name}.pkl`))).forest;
  const F = c.rows[0].length;
  const rows: DenseMatrix = {
    data: Float64Array.from(c.rows.flat(), cell),
    rows: c.rows.length,
    cols: F,
  };
  const e = explainSamples(forest, rows);

  it('is a scikit-learn >= 1.6 model with missing-value routing, explained on NaN and inf rows', () => {
    expect(c.versions.sklearn).toBe('1.6.1');
    expect(forest.missingGoToLeft).toBeDefined();
    // Both directions occur, so routing NaN always one way could not pass.
    const splits = forest.childrenLeft.reduce((n, l) => n + (l >= 0 ? 1 : 0), 0);
    const left = forest.missingGoToLeft!.reduce((n, v) => n + v, 0);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(splits);
    expect(c.kinds).toEqual(expect.arrayContaining(['normal', 'missing', 'infinite']));
    expect(Array.from(rows.data).some(Number.isNaN)).toBe(true);
  });

  it('gives shap_values within 1e-12 of shap, rows with missing values included', () => {
    let worst = 0;
    for (let i = 0; i < rows.rows; i++) {
      for (let j = 0; j < F; j++) {
        worst = Math.max(worst, Math.abs(e.shapValues[i * F + j] - c.shap_values[i][j]));
      }
    }
    expect(worst).toBeLessThanOrEqual(1e-12);
  });

  it("computes shap's expected_value exactly (glibc's log), within 2 ulp of this CPU's", () => {
    expect(e.shapExpectedValue).toBe(c.expected_value_glibc_log);
    expect(e.expectedValue).toBe(e.shapExpectedValue);
    expect(ulpDistance(e.shapExpectedValue, c.expected_value)).toBeLessThanOrEqual(2);
  });

  it('is additive and reproduces the served score_samples through -2^(-f/c)', () => {
    const cpsi = averagePathLength(c.max_samples_);
    const served = scoreSamples(forest, rows);
    for (let i = 0; i < rows.rows; i++) {
      let s = e.expectedValue;
      for (let j = 0; j < F; j++) s += e.shapValues[i * F + j];
      expect(Math.abs(s - e.pathLength[i])).toBeLessThanOrEqual(1e-12);
      expect(ulpDistance(-Math.pow(2, -e.pathLength[i] / cpsi), served[i])).toBeLessThanOrEqual(4);
      expect(ulpDistance(served[i], c.score_samples[i])).toBeLessThanOrEqual(4);
    }
  });

  it('gives each row the same values alone as in the batch (the cell memo is bypassed)', () => {
    const fresh = { ...forest };
    for (let i = rows.rows - 1; i >= 0; i--) {
      const one = explainSamples(fresh, {
        data: rows.data.slice(i * F, (i + 1) * F),
        rows: 1,
        cols: F,
      });
      for (let j = 0; j < F; j++) expect(one.shapValues[j]).toBe(e.shapValues[i * F + j]);
      expect(one.pathLength[0]).toBe(e.pathLength[i]);
    }
  });
});

it('a model without missing-value support still refuses NaN', () => {
  const c = JSON.parse(
    readFileSync(join(__dirname, '..', '..', 'fixtures', 'shap', 'default-2d.json'), 'utf8'),
  ) as { rows: number[][] };
  const forest = importSklearnModel(
    readFileSync(join(__dirname, '..', '..', 'fixtures', 'shap', 'default-2d.pkl')),
  ).forest;
  expect(forest.missingGoToLeft).toBeUndefined();
  const x: DenseMatrix = { data: Float64Array.of(c.rows[0][0], NaN), rows: 1, cols: 2 };
  expect(() => explainSamples(forest, x)).toThrow(InvalidInputError);
  expect(() => explainSamples(forest, x)).toThrow(/NaN/);
});
