import type { DenseMatrix } from '../engine/matrix';
import { mulberry32 } from './mulberry32';

/** Column names of the built-in data set. */
export const SYNTHETIC_FEATURES: readonly string[] = Object.freeze(['cpu_usage', 'memory_load']);
/** Seed of the built-in data set (fixed: the default model must be reproducible). */
export const SYNTHETIC_DATA_SEED = 42;
/** Rows of the built-in data set. */
export const SYNTHETIC_ROWS = 1000;

/**
 * The built-in training set of `npm run train` without `--data`: standardised server activity
 * (`cpu_usage`, `memory_load`) in two operating regimes, tight clusters of 480 rows each around
 * (2, 2) ("busy") and (-2, -2) ("idle") with standard deviation 0.3, plus 40 incidents (4%)
 * spread uniformly over [-6, 6]². The shape of scikit-learn's IsolationForest example and of the
 * seed fixtures. Deterministic: mulberry32 seeded with {@link SYNTHETIC_DATA_SEED}, normals by
 * Box-Muller.
 */
export function syntheticServerData(): { names: readonly string[]; x: DenseMatrix } {
  const next = mulberry32(SYNTHETIC_DATA_SEED);
  const normal = (): number => {
    // Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
    const u = 1 - next();
    const v = next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const data = new Float64Array(SYNTHETIC_ROWS * 2);
  const perCluster = 480;
  for (let i = 0; i < SYNTHETIC_ROWS; i++) {
    if (i < 2 * perCluster) {
      const centre = i < perCluster ? 2 : -2;
      data[2 * i] = centre + 0.3 * normal();
      data[2 * i + 1] = centre + 0.3 * normal();
    } else {
      data[2 * i] = -6 + 12 * next();
      data[2 * i + 1] = -6 + 12 * next();
    }
  }
  return { names: SYNTHETIC_FEATURES, x: { data, rows: SYNTHETIC_ROWS, cols: 2 } };
}
