import fc from 'fast-check';
import { fitIsolationForest } from '../fit';
import type { DenseMatrix } from '../matrix';
import type { IsolationForestOptions } from '../options';
import { decisionFunction, predict, scoreOne, scoreSamples } from '../score';

/**
 * Properties that hold for any data and options (fast-check, bounded sizes). Exact values are
 * pinned by the parity suites; these check invariants across inputs nobody hand-picked.
 */

/** Values with many exact duplicates and a wide range of magnitudes. */
const value = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 2.5, 1e-40, 1e30),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  fc.integer({ min: -3, max: 3 }),
);

function matrixArb(maxRows: number): fc.Arbitrary<DenseMatrix> {
  return fc.integer({ min: 1, max: 4 }).chain((cols) =>
    fc
      .array(fc.array(value, { minLength: cols, maxLength: cols }), {
        minLength: 1,
        maxLength: maxRows,
      })
      .map((rows) => ({ data: Float64Array.from(rows.flat()), rows: rows.length, cols })),
  );
}

/** Valid options for an n x cols matrix (a maxSamples fraction must keep at least one row). */
function optionsArb(n: number, cols: number): fc.Arbitrary<Partial<IsolationForestOptions>> {
  return fc.record({
    nEstimators: fc.integer({ min: 1, max: 6 }),
    maxSamples: fc.oneof(
      fc.constant('auto' as const),
      fc.integer({ min: 1, max: 60 }).map((count) => ({ count })),
      fc
        .double({ min: Math.min(1, 1.000001 / n), max: 1, noNaN: true })
        .map((fraction) => ({ fraction })),
    ),
    maxFeatures: fc.oneof(
      fc.integer({ min: 1, max: cols }).map((count) => ({ count })),
      fc.double({ min: 0.01, max: 1, noNaN: true }).map((fraction) => ({ fraction })),
    ),
    contamination: fc.oneof(
      fc.constant('auto' as const),
      fc.double({ min: 0.001, max: 0.5, noNaN: true }),
    ),
    bootstrap: fc.boolean(),
    randomState: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  });
}

const caseArb = matrixArb(40).chain((x) => fc.tuple(fc.constant(x), optionsArb(x.rows, x.cols)));
const RUNS = { numRuns: 60 };

describe('fitIsolationForest properties', () => {
  it('the same data and seed give byte-identical models', () => {
    fc.assert(
      fc.property(caseArb, ([x, options]) => {
        const a = fitIsolationForest(x, options);
        const b = fitIsolationForest({ ...x, data: x.data.slice() }, { ...options });
        expect(b.forest).toEqual(a.forest);
        expect(Object.is(a.offset, b.offset)).toBe(true);
        expect(b.warnings).toEqual(a.warnings);
      }),
      RUNS,
    );
  });

  it('returns a frozen model and never mutates its input', () => {
    fc.assert(
      fc.property(caseArb, ([x, options]) => {
        const before = x.data.slice();
        const frozenOptions = Object.freeze({ ...options });
        const model = fitIsolationForest(x, frozenOptions);
        expect(x.data).toEqual(before);
        expect(Object.isFrozen(model)).toBe(true);
        expect(Object.isFrozen(model.forest)).toBe(true);
        expect(Object.isFrozen(model.options)).toBe(true);
        expect(Object.isFrozen(model.warnings)).toBe(true);
      }),
      RUNS,
    );
  });

  it('grows well-formed trees within the depth limit', () => {
    fc.assert(
      fc.property(caseArb, ([x, options]) => {
        const { forest } = fitIsolationForest(x, options);
        const maxDepth = Math.ceil(Math.log2(Math.max(forest.maxSamples, 2)));
        for (let t = 0; t < forest.nEstimators; t++) {
          const base = forest.nodeOffsets[t];
          const size = forest.nodeOffsets[t + 1] - base;
          const depth = new Int32Array(size);
          for (let i = 0; i < size; i++) {
            const l = forest.childrenLeft[base + i];
            const r = forest.childrenRight[base + i];
            expect(depth[i]).toBeLessThanOrEqual(maxDepth);
            if (l < 0) continue;
            // Pre-order: the left child is the next node; children split the parent's samples.
            expect(l).toBe(i + 1);
            expect(forest.nNodeSamples[base + l] + forest.nNodeSamples[base + r]).toBe(
              forest.nNodeSamples[base + i],
            );
            depth[l] = depth[r] = depth[i] + 1;
          }
          expect(forest.nNodeSamples[base]).toBeLessThanOrEqual(forest.maxSamples);
        }
      }),
      RUNS,
    );
  });
});

describe('scoring properties of fitted models', () => {
  const scoringArb = caseArb.chain(([x, options]) =>
    fc.tuple(
      fc.constant(x),
      fc.constant(options),
      fc
        .array(fc.array(value, { minLength: x.cols, maxLength: x.cols }), { maxLength: 30 })
        .map((rows) => ({ data: Float64Array.from(rows.flat()), rows: rows.length, cols: x.cols })),
      fc.integer({ min: 1, max: 7 }),
    ),
  );

  it('scores lie in [-1, 0], decision = score - offset exactly, predict follows its sign', () => {
    fc.assert(
      fc.property(scoringArb, ([x, options, q]) => {
        const model = fitIsolationForest(x, options);
        const scores = scoreSamples(model.forest, q);
        const decision = decisionFunction(model.forest, model.offset, q);
        const labels = predict(model.forest, model.offset, q);
        for (let i = 0; i < q.rows; i++) {
          expect(scores[i]).toBeGreaterThanOrEqual(-1);
          expect(scores[i]).toBeLessThanOrEqual(0);
          expect(Object.is(decision[i], scores[i] - model.offset)).toBe(true);
          expect(labels[i]).toBe(decision[i] < 0 ? -1 : 1);
        }
      }),
      RUNS,
    );
  });

  it('a row scores the same whatever its position, batch size or scoreOne', () => {
    fc.assert(
      fc.property(scoringArb, ([x, options, q, chunk]) => {
        const { forest } = fitIsolationForest(x, options);
        const all = scoreSamples(forest, q);
        const n = q.rows;
        // Reversed order.
        const reversed = new Float64Array(q.data.length);
        for (let i = 0; i < n; i++) {
          reversed.set(q.data.subarray(i * q.cols, (i + 1) * q.cols), (n - 1 - i) * q.cols);
        }
        const back = scoreSamples(forest, { data: reversed, rows: n, cols: q.cols });
        for (let i = 0; i < n; i++) expect(back[n - 1 - i]).toBe(all[i]);
        // Batches of `chunk` rows.
        for (let s = 0; s < n; s += chunk) {
          const m = Math.min(chunk, n - s);
          const part = scoreSamples(forest, {
            data: q.data.subarray(s * q.cols, (s + m) * q.cols),
            rows: m,
            cols: q.cols,
          });
          for (let i = 0; i < m; i++) expect(part[i]).toBe(all[s + i]);
        }
        for (let i = 0; i < n; i++) {
          expect(scoreOne(forest, q.data.subarray(i * q.cols, (i + 1) * q.cols))).toBe(all[i]);
        }
      }),
      RUNS,
    );
  });
});
