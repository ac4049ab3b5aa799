import {
  averagePathLength,
  explainSamples,
  fitIsolationForest,
  matrixFromRows,
  scoreSamples,
  type FlatForest,
} from '../../../src/engine';
import { importSklearnModel } from '../../../src/sklearn';
import { ulpDistance } from '../sklearn/sklearn-fixtures';
import { loadShapCase, optionsOf, shapCaseNames, shapCasePickle } from './shap-fixtures';

/**
 * Explanations against the real shap (test/fixtures/shap): for every model, both as the
 * scikit-learn pickle the service reads and as the native fit of the same data and seed,
 * `explainSamples` must give `TreeExplainer(model).shap_values(rows)` within 1e-12 and the
 * same `expected_value` (bootstrap models excepted, see below), be additive, and reproduce
 * scikit-learn's `score_samples` through the link `-2^(-f/c)`.
 */

const names = shapCaseNames();

describe.each(names)('%s', (name) => {
  const c = loadShapCase(name);
  const rows = matrixFromRows(c.rows);
  const imported = importSklearnModel(shapCasePickle(name)).forest;
  const native = fitIsolationForest(matrixFromRows(c.X_train), optionsOf(c)).forest;
  const bootstrap = c.params.bootstrap;

  it('covers normal, anomalous and edge rows, all float32-representable', () => {
    expect(new Set(c.kinds)).toEqual(new Set(['normal', 'anomalous', 'edge']));
    for (const row of c.rows) for (const v of row) expect(Math.fround(v)).toBe(v);
  });

  it('the native fit grows the same forest as scikit-learn, node weights included', () => {
    expect(native.nodeOffsets).toEqual(imported.nodeOffsets);
    expect(native.threshold).toEqual(imported.threshold);
    expect(native.treeFeatures).toEqual(imported.treeFeatures);
    expect(native.nNodeSamples).toEqual(imported.nNodeSamples);
    expect(native.weightedNNodeSamples).toEqual(imported.weightedNNodeSamples);
  });

  describe.each([
    ['the scikit-learn pickle', imported],
    ['the native fit', native],
  ] as [string, FlatForest][])('explaining %s', (_label, forest) => {
    const e = explainSamples(forest, rows);
    const F = c.rows[0].length;

    it('gives shap_values within 1e-12 of shap', () => {
      let worst = 0;
      for (let i = 0; i < c.rows.length; i++) {
        for (let j = 0; j < F; j++) {
          worst = Math.max(worst, Math.abs(e.shapValues[i * F + j] - c.shap_values[i][j]));
        }
      }
      expect(worst).toBeLessThanOrEqual(1e-12);
    });

    // shap's expected_value depends on the CPU by an ulp: numpy's AVX-512 log differs from
    // glibc's for some leaf sizes. The engine uses glibc's c(n) (as scikit-learn's parity
    // fixtures do), so it equals shap's value computed with glibc's log, and is within 2 ulp of
    // what shap printed on the (AVX-512) machine that made the fixtures.
    it("computes shap's expected_value exactly (glibc's log), within 2 ulp of this CPU's", () => {
      expect(e.shapExpectedValue).toBe(c.expected_value_glibc_log);
      expect(ulpDistance(e.shapExpectedValue, c.expected_value)).toBeLessThanOrEqual(2);
    });

    if (!bootstrap) {
      it("returns shap's expected_value as the base value", () => {
        expect(e.expectedValue).toBe(e.shapExpectedValue);
      });
    } else {
      it("returns f(x) - sum(phi), a model constant, as the base value (not shap's)", () => {
        // shap's own constant is off by the cover/count mismatch (issue 12): not additive.
        const gap = Math.abs(e.shapExpectedValue - e.expectedValue);
        expect(gap).toBeGreaterThan(1e-6);
      });
    }

    it('is additive: expected_value + sum(phi) = path_length within 1e-12', () => {
      for (let i = 0; i < c.rows.length; i++) {
        let s = e.expectedValue;
        for (let j = 0; j < F; j++) s += e.shapValues[i * F + j];
        expect(Math.abs(s - e.pathLength[i])).toBeLessThanOrEqual(1e-12);
      }
    });

    it("reproduces scikit-learn's score_samples within 4 ulp through -2^(-f/c)", () => {
      const cpsi = averagePathLength(c.max_samples_);
      expect(e.normalizer).toBe(cpsi);
      const served = scoreSamples(forest, rows);
      for (let i = 0; i < c.rows.length; i++) {
        const linked = -Math.pow(2, -e.pathLength[i] / cpsi);
        expect(ulpDistance(linked, c.score_samples[i])).toBeLessThanOrEqual(4);
        expect(ulpDistance(served[i], c.score_samples[i])).toBeLessThanOrEqual(4);
      }
    });
  });
});
