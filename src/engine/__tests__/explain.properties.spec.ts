import fc from 'fast-check';
import { averagePathLength } from '../average-path-length';
import { explainSamples, meanPathLengths } from '../explain';
import { pathLengthSums } from '../score';
import { ExplanationUnavailableError } from '../errors';
import { fitIsolationForest } from '../fit';
import type { FlatForest } from '../forest';
import type { DenseMatrix } from '../matrix';
import { compileShapForest } from '../shap-forest';

/**
 * Properties of the explanations that hold whatever the data: Shapley axioms (dummy, symmetry
 * under relabelling, efficiency) and, on one-tree forests, equality with the Shapley values of
 * the path-dependent game computed by brute force over every feature subset.
 */

/** Deterministic data: `rows` x `cols` float32 values from a small LCG. */
function data(seed: number, rows: number, cols: number, constantColumn = -1): DenseMatrix {
  let s = seed >>> 0 || 1;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v =
        j === constantColumn ? 0.25 : (next() - 0.5) * 8 * (j + 1) + (next() < 0.05 ? 9 : 0);
      out[i * cols + j] = Math.fround(v);
    }
  }
  return { data: out, rows, cols };
}

/** The same matrix with about one cell in four missing (NaN), and row 0's first cell. */
function withMissing(x: DenseMatrix, seed: number): DenseMatrix {
  const out = Float64Array.from(x.data);
  let s = seed >>> 0 || 1;
  for (let k = 0; k < out.length; k++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    if (s >>> 30 === 0 || k === 0) out[k] = NaN;
  }
  return { ...x, data: out };
}

/** Leaf value, cover and routing of node g of the single tree, in shap's regression-tree form. */
function bruteForceShapley(forest: FlatForest, x: Float64Array): Float64Array {
  const M = forest.nFeatures;
  const shap = compileShapForest(forest);
  const root = shap.roots[0];
  // G(u, S): follow x at splits on features in S, else average the children by cover.
  const game = (u: number, S: number): number => {
    const l = shap.left[u];
    if (l < 0) return shap.value[u];
    const r = shap.right[u];
    const f = shap.column[u];
    if (S & (1 << f)) {
      // A missing value takes the split's missing-value child (models that accept NaN).
      if (Number.isNaN(x[f]) && shap.missingChild !== null) return game(shap.missingChild[u], S);
      return game(x[f] <= shap.threshold[u] ? l : r, S);
    }
    return (shap.cover[l] * game(l, S) + shap.cover[r] * game(r, S)) / shap.cover[u];
  };
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  const phi = new Float64Array(M);
  for (let i = 0; i < M; i++) {
    for (let S = 0; S < 1 << M; S++) {
      if (S & (1 << i)) continue;
      let size = 0;
      for (let k = 0; k < M; k++) if (S & (1 << k)) size++;
      const weight = (fact(size) * fact(M - size - 1)) / fact(M);
      phi[i] += weight * (game(root, S | (1 << i)) - game(root, S));
    }
  }
  return phi;
}

/** The same forest with its columns relabelled: new column j is old column perm[j]. */
function permuteForest(forest: FlatForest, perm: number[]): FlatForest {
  const inv = new Int32Array(perm.length);
  perm.forEach((old, j) => (inv[old] = j));
  const subset = forest.maxFeatures !== forest.nFeatures;
  return {
    ...forest,
    treeFeatures: subset ? forest.treeFeatures.map((c) => inv[c]) : forest.treeFeatures,
    feature: subset ? forest.feature : forest.feature.map((f) => (f < 0 ? f : inv[f])),
  };
}

function permuteRows(x: DenseMatrix, perm: number[]): DenseMatrix {
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < x.cols; j++) out[i * x.cols + j] = x.data[i * x.cols + perm[j]];
  }
  return { data: out, rows: x.rows, cols: x.cols };
}

const shapeArb = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  cols: fc.integer({ min: 2, max: 6 }),
  maxSamples: fc.integer({ min: 2, max: 64 }),
  bootstrap: fc.boolean(),
  subset: fc.boolean(),
});

/** A forest of `nEstimators` trees fitted on `x` with a drawn shape's options. */
function fitShape(
  x: DenseMatrix,
  nEstimators: number,
  shape: { seed: number; maxSamples: number; bootstrap: boolean; subset: boolean },
) {
  return fitIsolationForest(x, {
    nEstimators,
    maxSamples: { count: shape.maxSamples },
    maxFeatures: shape.subset ? { fraction: 0.5 } : { fraction: 1 },
    bootstrap: shape.bootstrap,
    randomState: shape.seed,
  });
}

describe('explainSamples: Shapley properties', () => {
  it('a one-tree forest matches brute-force Shapley values over all feature subsets', () => {
    fc.assert(
      fc.property(shapeArb, ({ seed, cols, maxSamples, bootstrap, subset }) => {
        const x = data(seed, 80, cols);
        const model = fitShape(x, 1, { seed, maxSamples, bootstrap, subset });
        const rows = data(seed + 1, 5, cols);
        const e = explainSamples(model.forest, rows);
        for (let i = 0; i < rows.rows; i++) {
          const row = rows.data.slice(i * cols, (i + 1) * cols);
          const brute = bruteForceShapley(model.forest, row);
          for (let j = 0; j < cols; j++) {
            expect(Math.abs(e.shapValues[i * cols + j] - brute[j])).toBeLessThanOrEqual(1e-12);
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('rows with missing values: a one-tree forest fitted on data with NaN matches brute force', () => {
    fc.assert(
      fc.property(shapeArb, ({ seed, cols, maxSamples, bootstrap, subset }) => {
        const x = withMissing(data(seed, 80, cols), seed);
        const model = fitShape(x, 1, { seed, maxSamples, bootstrap, subset });
        expect(model.forest.missingGoToLeft).toBeDefined();
        const rows = withMissing(data(seed + 1, 6, cols), seed + 1);
        const e = explainSamples(model.forest, rows);
        for (let i = 0; i < rows.rows; i++) {
          const row = rows.data.slice(i * cols, (i + 1) * cols);
          const brute = bruteForceShapley(model.forest, row);
          let s = e.expectedValue;
          for (let j = 0; j < cols; j++) {
            expect(Math.abs(e.shapValues[i * cols + j] - brute[j])).toBeLessThanOrEqual(1e-12);
            s += e.shapValues[i * cols + j];
          }
          expect(Math.abs(s - e.pathLength[i])).toBeLessThanOrEqual(1e-12);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('a feature no tree splits on gets exactly 0', () => {
    fc.assert(
      fc.property(shapeArb, fc.nat(5), ({ seed, cols, maxSamples, bootstrap, subset }, k) => {
        const constant = k % cols;
        const x = data(seed, 120, cols, constant);
        const model = fitShape(x, 15, { seed, maxSamples, bootstrap, subset });
        const rows = data(seed + 7, 6, cols);
        const e = explainSamples(model.forest, rows);
        for (let i = 0; i < rows.rows; i++) expect(e.shapValues[i * cols + constant]).toBe(0);
      }),
      { numRuns: 30 },
    );
  });

  it('permuting the columns of model and rows together permutes phi, bit for bit', () => {
    fc.assert(
      fc.property(
        shapeArb.chain((s) =>
          fc.record({
            shape: fc.constant(s),
            perm: fc.shuffledSubarray(
              Array.from({ length: s.cols }, (_, j) => j),
              { minLength: s.cols, maxLength: s.cols },
            ),
          }),
        ),
        ({ shape: { seed, cols, maxSamples, bootstrap, subset }, perm }) => {
          const x = data(seed, 120, cols);
          const model = fitShape(x, 10, { seed, maxSamples, bootstrap, subset });
          const rows = data(seed + 3, 6, cols);
          const e = explainSamples(model.forest, rows);
          const p = explainSamples(permuteForest(model.forest, perm), permuteRows(rows, perm));
          expect(p.expectedValue).toBe(e.expectedValue);
          for (let i = 0; i < rows.rows; i++) {
            expect(p.pathLength[i]).toBe(e.pathLength[i]);
            for (let j = 0; j < cols; j++) {
              expect(p.shapValues[i * cols + j]).toBe(e.shapValues[i * cols + perm[j]]);
            }
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('is additive on random models, bootstrap included: E + sum(phi) = f(x) within 1e-12', () => {
    fc.assert(
      fc.property(shapeArb, ({ seed, cols, maxSamples, bootstrap, subset }) => {
        const x = data(seed, 150, cols);
        const model = fitShape(x, 20, { seed, maxSamples, bootstrap, subset });
        const rows = data(seed + 5, 8, cols);
        const e = explainSamples(model.forest, rows);
        expect(e.normalizer).toBe(averagePathLength(model.forest.maxSamples));
        for (let i = 0; i < rows.rows; i++) {
          let s = e.expectedValue;
          for (let j = 0; j < cols; j++) s += e.shapValues[i * cols + j];
          expect(Math.abs(s - e.pathLength[i])).toBeLessThanOrEqual(1e-12);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('gives the same bits whatever was explained before (cell memo warm or cold)', () => {
    fc.assert(
      fc.property(shapeArb, ({ seed, cols, maxSamples, bootstrap, subset }) => {
        const x = data(seed, 150, cols);
        const model = fitShape(x, 12, { seed, maxSamples, bootstrap, subset });
        const rows = data(seed + 9, 20, cols);
        const warmFirst = explainSamples(model.forest, rows);
        const again = explainSamples(model.forest, rows);
        // A copy of the forest object has no memo yet; explain the rows one by one, backwards.
        const cold = { ...model.forest };
        for (let i = rows.rows - 1; i >= 0; i--) {
          const one = explainSamples(cold, {
            data: rows.data.slice(i * cols, (i + 1) * cols),
            rows: 1,
            cols,
          });
          for (let j = 0; j < cols; j++) {
            expect(one.shapValues[j]).toBe(warmFirst.shapValues[i * cols + j]);
          }
        }
        expect(again.shapValues).toEqual(warmFirst.shapValues);
      }),
      { numRuns: 20 },
    );
  });

  it('refuses a forest without node weights (a version-1 artifact), naming the reason', () => {
    const model = fitIsolationForest(data(3, 50, 2), { nEstimators: 3, randomState: 1 });
    const v1: FlatForest = { ...model.forest, weightedNNodeSamples: undefined };
    expect(() => explainSamples(v1, data(4, 1, 2))).toThrow(ExplanationUnavailableError);
    expect(() => explainSamples(v1, data(4, 1, 2))).toThrow(/weighted_n_node_samples/);
  });
});

describe('meanPathLengths', () => {
  it("equals the scorer's sums / nEstimators bit for bit, walked (few rows) or batched", () => {
    fc.assert(
      fc.property(
        shapeArb,
        fc.integer({ min: 1, max: 40 }),
        ({ seed, cols, maxSamples, bootstrap, subset }, n) => {
          const model = fitShape(data(seed, 150, cols), 25, {
            seed,
            maxSamples,
            bootstrap,
            subset,
          });
          const rows = data(seed + 11, n, cols);
          const sums = pathLengthSums(model.forest, rows);
          const mean = meanPathLengths(model.forest, rows);
          for (let i = 0; i < n; i++) expect(mean[i]).toBe(sums[i] / 25);
        },
      ),
      { numRuns: 30 },
    );
  });
});
