import { InvalidInputError } from '../errors';
import { matrixFromRows } from '../matrix';

describe('matrixFromRows', () => {
  it('copies equally long rows in row-major order, whatever their element kinds', () => {
    // JSON.parse gives integer-only rows and double rows different element kinds.
    const rows = JSON.parse('[[1, 2, 3], [-0.5, 2.25, 1e-300], [0, -0, 3.4e38]]') as number[][];
    const m = matrixFromRows(rows);
    expect(m.rows).toBe(3);
    expect(m.cols).toBe(3);
    expect(Array.from(m.data)).toEqual([1, 2, 3, -0.5, 2.25, 1e-300, 0, -0, 3.4e38]);
    expect(Object.is(m.data[7], -0)).toBe(true);
  });

  it('gives an empty 0 x 0 matrix for no rows', () => {
    const m = matrixFromRows([]);
    expect([m.rows, m.cols, m.data.length]).toEqual([0, 0, 0]);
  });

  it('rejects a row of another length, naming it', () => {
    const call = (): unknown =>
      matrixFromRows([
        [1, 2],
        [3, 4],
        [5, 6, 7],
      ]);
    expect(call).toThrow(InvalidInputError);
    expect(call).toThrow('row 2 has 3 values, expected 2');
  });
});
