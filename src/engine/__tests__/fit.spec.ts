import { InvalidInputError } from '../errors';
import { fitIsolationForest } from '../fit';
import type { DenseMatrix } from '../matrix';
import { DEFAULT_OPTIONS, type IsolationForestOptions } from '../options';
import { resolveOptions } from '../resolve-options';

const X: DenseMatrix = {
  data: Float64Array.from([0, 0, 1, 1, 2, 0.5, -1, 3, 4, 4, 0.25, -2, 5, 1, 2, 2, 3, 3, 9, -9]),
  rows: 10,
  cols: 2,
};

/** The error fit throws, for asserting on its class, text and details. */
function fitError(x: DenseMatrix, options?: Partial<IsolationForestOptions>): InvalidInputError {
  try {
    fitIsolationForest(x, options);
  } catch (e) {
    if (e instanceof InvalidInputError) return e;
    throw e;
  }
  throw new Error('fit did not throw');
}

describe('fitIsolationForest options', () => {
  it('fills in scikit-learn defaults and records them on the model', () => {
    const model = fitIsolationForest(X);
    expect(model.options).toEqual(DEFAULT_OPTIONS);
    expect(model.forest.nEstimators).toBe(100);
    expect(model.forest.maxSamples).toBe(10);
    expect(model.forest.maxFeatures).toBe(2);
    expect(model.offset).toBe(-0.5);
    expect(model.nSamples).toBe(10);
    expect(model.warnings).toEqual([]);
  });

  it('ignores options explicitly set to undefined', () => {
    expect(fitIsolationForest(X, { nEstimators: undefined, randomState: 3 }).options).toEqual({
      ...DEFAULT_OPTIONS,
      randomState: 3,
    });
  });

  it.each([
    [{ contamination: 0.7 }, 'contamination', "'auto' or a number in (0, 0.5]; got 0.7."],
    [{ contamination: 0 }, 'contamination', 'got 0.'],
    [{ contamination: NaN }, 'contamination', 'got NaN.'],
    [{ contamination: '0.1' as unknown as number }, 'contamination', "got '0.1'."],
    [{ nEstimators: 0 }, 'nEstimators', 'an integer >= 1; got 0.'],
    [{ nEstimators: 2.5 }, 'nEstimators', 'got 2.5.'],
    [{ randomState: 1.5 }, 'randomState', 'an integer in [0, 4294967295]'],
    [{ randomState: -1 }, 'randomState', 'got -1.'],
    [{ randomState: 2 ** 32 }, 'randomState', 'got 4294967296.'],
    [{ maxSamples: { count: 0 } }, 'maxSamples', 'got {"count":0}.'],
    [{ maxSamples: { fraction: 1.5 } }, 'maxSamples', 'got {"fraction":1.5}.'],
    [{ maxSamples: { fraction: 0 } }, 'maxSamples', 'got {"fraction":0}.'],
    [{ maxSamples: 'all' as 'auto' }, 'maxSamples', "got 'all'."],
    [{ maxFeatures: { count: 0 } }, 'maxFeatures', 'got {"count":0}.'],
    [{ maxFeatures: { fraction: 0 } }, 'maxFeatures', 'got {"fraction":0}.'],
    [{ bootstrap: 'yes' as unknown as boolean }, 'bootstrap', "true or false; got 'yes'."],
  ])('rejects %j naming the option and the accepted values', (options, option, text) => {
    const e = fitError(X, options);
    expect(e.details.option).toBe(option);
    expect(e.message).toContain(`The '${option}' option must be`);
    expect(e.message).toContain(text);
  });

  it('rejects unknown option names instead of ignoring them', () => {
    const e = fitError(X, { seed: 1 } as Partial<IsolationForestOptions>);
    expect(e.message).toContain("unknown option 'seed'");
    expect(e.details.option).toBe('seed');
  });

  it('rejects a maxFeatures count above the number of columns', () => {
    const e = fitError(X, { maxFeatures: { count: 3 } });
    expect(e.message).toBe(
      "The 'maxFeatures' count 3 exceeds the 2 columns of X (max_features must be <= n_features).",
    );
  });

  it('rejects a maxSamples fraction that rounds to zero rows (sklearn crashes there)', () => {
    expect(fitError(X, { maxSamples: { fraction: 0.05 } }).message).toContain('0 rows');
  });

  it("clips a maxSamples count above n with sklearn's warning, without logging", () => {
    const spies = (['log', 'warn', 'error', 'info'] as const).map((m) =>
      jest.spyOn(console, m).mockImplementation(() => undefined),
    );
    try {
      const model = fitIsolationForest(X, { maxSamples: { count: 11 }, nEstimators: 2 });
      expect(model.forest.maxSamples).toBe(10);
      expect(model.warnings).toEqual([
        'max_samples (11) is greater than the total number of samples (10). max_samples will be set to n_samples for estimation.',
      ]);
      for (const s of spies) expect(s).not.toHaveBeenCalled();
    } finally {
      for (const s of spies) s.mockRestore();
    }
  });

  it('derives max_features like BaseBagging: floor(fraction * d), at least 1', () => {
    const wide: DenseMatrix = { data: new Float64Array(30).map((_, i) => i % 7), rows: 6, cols: 5 };
    expect(fitIsolationForest(wide, { maxFeatures: { fraction: 0.6 } }).forest.maxFeatures).toBe(3);
    expect(fitIsolationForest(wide, { maxFeatures: { fraction: 0.1 } }).forest.maxFeatures).toBe(1);
    expect(fitIsolationForest(wide, { maxFeatures: { count: 5 } }).forest.maxFeatures).toBe(5);
  });
});

describe('fitIsolationForest input validation (sklearn wording)', () => {
  it.each([
    [
      { data: new Float64Array(0), rows: 0, cols: 2 },
      'Found array with 0 sample(s) (shape=(0, 2)) while a minimum of 1 is required by IsolationForest.',
    ],
    [
      { data: new Float64Array(0), rows: 3, cols: 0 },
      'Found array with 0 feature(s) (shape=(3, 0)) while a minimum of 1 is required by IsolationForest.',
    ],
  ])('rejects an empty matrix', (x, message) => {
    expect(fitError(x).message).toBe(message);
  });

  it.each([
    [Infinity, 'Input X contains infinity'],
    [-Infinity, 'Input X contains infinity'],
    [3.5e38, "Input X contains infinity or a value too large for dtype('float32')"],
  ])('rejects %p', (v, text) => {
    const data = X.data.slice();
    data[7] = v;
    const e = fitError({ ...X, data });
    expect(e.message).toContain(text);
    expect(e.details).toEqual({ row: 3, column: 1 });
  });

  it('takes NaN as a missing value (scikit-learn 1.9), still refusing infinities beside it', () => {
    const data = X.data.slice();
    data[7] = NaN;
    const model = fitIsolationForest({ ...X, data }, { nEstimators: 2 });
    expect(model.forest.missingGoToLeft).toBeDefined();
    data[0] = Infinity;
    const e = fitError({ ...X, data });
    expect(e.message).toContain('Input X contains infinity');
    expect(e.details).toEqual({ row: 0, column: 0 });
  });

  it('accepts the largest float64 that rounds to a finite float32', () => {
    const data = X.data.slice();
    data[0] = 3.4028235e38;
    expect(() => fitIsolationForest({ ...X, data }, { nEstimators: 1 })).not.toThrow();
  });

  it('rejects a data array that does not match rows x cols', () => {
    expect(fitError({ data: new Float64Array(5), rows: 3, cols: 2 }).message).toContain(
      'expected 3 x 2 = 6',
    );
  });
});

describe('resolveOptions', () => {
  it('returns a frozen copy that does not alias the caller object', () => {
    const maxSamples = { count: 5 };
    const o = resolveOptions({ maxSamples });
    maxSamples.count = 7;
    expect(o.maxSamples).toEqual({ count: 5 });
    expect(Object.isFrozen(o)).toBe(true);
    expect(Object.isFrozen(o.maxSamples)).toBe(true);
    expect(Object.isFrozen(o.maxFeatures)).toBe(true);
  });

  it('rejects a non-object', () => {
    expect(() => resolveOptions(null as unknown as Partial<IsolationForestOptions>)).toThrow(
      'options must be an object',
    );
  });
});
