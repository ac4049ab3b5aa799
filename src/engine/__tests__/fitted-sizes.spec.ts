import { fittedMaxFeatures, fittedMaxSamples } from '../fitted-sizes';

describe('fittedMaxSamples (IsolationForest.fit max_samples_)', () => {
  it.each([
    ['auto', 300, 256],
    ['auto', 64, 64],
    [{ count: 64 }, 300, 64],
    [{ count: 500 }, 300, 300],
    [{ fraction: 0.5 }, 300, 150],
    [{ fraction: 0.999 }, 10, 9],
    [{ fraction: 0.01 }, 50, 0],
  ] as const)('%j of %d rows is %d', (spec, n, expected) => {
    expect(fittedMaxSamples(spec, n)).toBe(expected);
  });
});

describe('fittedMaxFeatures (BaseBagging._fit _max_features)', () => {
  it.each([
    [{ fraction: 1.0 }, 5, 5],
    [{ fraction: 0.6 }, 5, 3],
    [{ fraction: 0.1 }, 5, 1],
    [{ count: 2 }, 5, 2],
    [{ count: 1 }, 40, 1],
  ] as const)('%j of %d columns is %d', (spec, d, expected) => {
    expect(fittedMaxFeatures(spec, d)).toBe(expected);
  });
});
