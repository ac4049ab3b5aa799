/**
 * Marching squares: the line segments where a function sampled on a regular grid crosses
 * `level`, with linear interpolation along cell edges. Saddle cells (two opposite corners above)
 * are split by the cell's centre value, the usual disambiguation.
 *
 * @param values `nx x ny` samples, `values[j * nx + i]` at grid point (i, j)
 * @returns segments as `[x1, y1, x2, y2]` in grid units (0 ... nx-1, 0 ... ny-1)
 */
export function contourSegments(
  values: Float64Array,
  nx: number,
  ny: number,
  level: number,
): [number, number, number, number][] {
  const out: [number, number, number, number][] = [];
  const at = (i: number, j: number): number => values[j * nx + i];
  // Where the crossing lies on an edge from value a (at 0) to value b (at 1).
  const t = (a: number, b: number): number => (level - a) / (b - a);
  for (let j = 0; j + 1 < ny; j++) {
    for (let i = 0; i + 1 < nx; i++) {
      const v00 = at(i, j);
      const v10 = at(i + 1, j);
      const v11 = at(i + 1, j + 1);
      const v01 = at(i, j + 1);
      const code =
        (v00 > level ? 1 : 0) |
        (v10 > level ? 2 : 0) |
        (v11 > level ? 4 : 0) |
        (v01 > level ? 8 : 0);
      if (code === 0 || code === 15) continue;
      // Crossing points on the four edges: bottom (j), right (i+1), top (j+1), left (i).
      const bottom = (): [number, number] => [i + t(v00, v10), j];
      const right = (): [number, number] => [i + 1, j + t(v10, v11)];
      const top = (): [number, number] => [i + t(v01, v11), j + 1];
      const left = (): [number, number] => [i, j + t(v00, v01)];
      const seg = (p: [number, number], q: [number, number]): void => {
        out.push([p[0], p[1], q[0], q[1]]);
      };
      const centreAbove = (v00 + v10 + v11 + v01) / 4 > level;
      switch (code) {
        case 1:
        case 14:
          seg(left(), bottom());
          break;
        case 2:
        case 13:
          seg(bottom(), right());
          break;
        case 3:
        case 12:
          seg(left(), right());
          break;
        case 4:
        case 11:
          seg(right(), top());
          break;
        case 6:
        case 9:
          seg(bottom(), top());
          break;
        case 7:
        case 8:
          seg(left(), top());
          break;
        case 5:
          if (centreAbove) {
            seg(left(), top());
            seg(bottom(), right());
          } else {
            seg(left(), bottom());
            seg(right(), top());
          }
          break;
        case 10:
          if (centreAbove) {
            seg(left(), bottom());
            seg(right(), top());
          } else {
            seg(left(), top());
            seg(bottom(), right());
          }
          break;
        default:
          break;
      }
    }
  }
  return out;
}
