import {
  describeJsonValue,
  featureMapError,
  matrixError,
  memberPath,
  vectorError,
} from '../../../src/validation';

describe('feature value checks', () => {
  it('accepts finite float32-range numbers, including extremes and -0', () => {
    expect(
      vectorError([0, -0, 1e-45, 5e-324, -3.4028234663852886e38, 3.4028235e38], 'data', 10),
    ).toBeNull();
  });

  it.each([
    [[1, '2'], 'data[1]', 'must be a number or null (missing), got a string'],
    [[1, false], 'data[1]', 'must be a number or null (missing), got a boolean'],
    [[[1], 2], 'data[0]', 'must be a number or null (missing), got an array'],
    [[{}, 2], 'data[0]', 'must be a number or null (missing), got an object'],
    [
      [NaN, 2],
      'data[0]',
      'must be a finite number within float32 range (|x| < 3.4028235e38), got NaN',
    ],
    [
      [Infinity],
      'data[0]',
      'must be a finite number within float32 range (|x| < 3.4028235e38), got Infinity',
    ],
    [
      [1, 3.4028235677973366e38],
      'data[1]',
      'must be a finite number within float32 range (|x| < 3.4028235e38), got 3.4028235677973366e+38',
    ],
    [[], 'data', 'must contain at least one number'],
    ['1,2', 'data', 'must be an array of numbers, got a string'],
    [undefined, 'data', 'must be an array of numbers, got nothing'],
  ])('vector %j → %s %s', (value, field, message) => {
    expect(vectorError(value, 'data', 10)).toEqual({ field, message });
  });

  it('limits vector length', () => {
    expect(vectorError([1, 2, 3], 'data', 2)).toEqual({
      field: 'data',
      message: 'must contain at most 2 numbers',
    });
  });

  it.each([
    [[[1, 2], [3]], 'data[1]', 'has 1 values, but data[0] has 2'],
    [
      [
        [1, 2],
        [3, 'x'],
      ],
      'data[1][1]',
      'must be a number or null (missing), got a string',
    ],
    [[[1, 2], 3], 'data[1]', 'must be an array of numbers, got 3'],
    [[[]], 'data[0]', 'must contain at least one number'],
    [[], 'data', 'must contain at least one row'],
    [
      [
        [1, 2],
        [1, 2],
        [1, 2],
      ],
      'data',
      'must contain at most 2 rows, got 3',
    ],
    [{ 0: [1] }, 'data', 'must be an array of rows (arrays of numbers), got an object'],
  ])('matrix %j → %s %s', (value, field, message) => {
    expect(matrixError(value, 'data', 2, 10)).toEqual({ field, message });
  });

  it('accepts a rectangular matrix', () => {
    expect(
      matrixError(
        [
          [1, 2],
          [3, 4],
        ],
        'data',
        2,
        10,
      ),
    ).toBeNull();
  });

  it.each([
    [{ a: 1, b: 'x' }, 'features.b', 'must be a number or null (missing), got a string'],
    [{ 'a b': true }, 'features["a b"]', 'must be a number or null (missing), got a boolean'],
    [{}, 'features', 'must name at least one feature'],
    [[1, 2], 'features', 'must be an object mapping feature names to numbers, got an array'],
    [null, 'features', 'must be an object mapping feature names to numbers, got null'],
  ])('feature map %j → %s %s', (value, field, message) => {
    expect(featureMapError(value, 'features', 10)).toEqual({ field, message });
  });

  it('names members safely', () => {
    expect(memberPath('features', 'cpu_usage')).toBe('features.cpu_usage');
    expect(memberPath('features', '0abc')).toBe('features["0abc"]');
    expect(memberPath('features', 'a"b')).toBe('features["a\\"b"]');
    expect(describeJsonValue(12.5)).toBe('12.5');
  });
});
