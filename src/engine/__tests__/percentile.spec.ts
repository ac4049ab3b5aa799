import { percentile, percentileOfSorted } from '../percentile';
import { loadFixture } from './helpers/fixtures';

const ref = loadFixture<{ percentile: { values: number[]; q: number[]; result: number[] }[] }>(
  'sklearn-train/numpy-random.json',
).percentile;

describe('percentile (numpy 1.24 linear)', () => {
  it.each(ref.map((c) => [c.values.length, c] as const))(
    'matches np.percentile bit for bit on %d values',
    (_n, c) => {
      expect(c.q.map((q) => percentile(c.values, q))).toEqual(c.result);
    },
  );

  it('takes the b - (b - a)(1 - g) branch when g >= 0.5', () => {
    // v = (3 - 1) * 0.75 = 1.5: a = 1, b = 1 + 2^-52, g = 0.5.
    const b = 1 + 2 ** -52;
    expect(percentileOfSorted([0, 1, b], 75)).toBe(b - (b - 1) * 0.5);
    // v = 2 * 0.25 = 0.5 is the same branch: b - (b - a) * 0.5.
    expect(percentileOfSorted([-3, 5, 9], 25)).toBe(1);
  });

  it('returns sample values at integer indices and the extremes at 0 and 100', () => {
    expect(percentileOfSorted([1, 2, 3, 4, 5], 50)).toBe(3);
    expect(percentileOfSorted([1, 2, 3, 4, 5], 0)).toBe(1);
    expect(percentileOfSorted([1, 2, 3, 4, 5], 100)).toBe(5);
    expect(percentileOfSorted([7], 33)).toBe(7);
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });

  it('rejects an empty array and q outside [0, 100]', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], NaN)).toThrow(RangeError);
  });
});
