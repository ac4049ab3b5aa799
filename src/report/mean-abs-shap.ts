import type { FlatForest } from '../engine/forest';
import type { DenseMatrix } from '../engine/matrix';
import { canExplain, shapValuesOf } from '../engine/explain';

/**
 * Mean |SHAP value| of each feature over `rows` (TreeSHAP, as `explain: true` computes it), or
 * null when the forest cannot be explained (a version-1 artifact has no node weights) or there
 * are no rows.
 */
export function meanAbsShap(forest: FlatForest, rows: DenseMatrix | null): Float64Array | null {
  if (rows === null || rows.rows === 0 || !canExplain(forest)) return null;
  const d = forest.nFeatures;
  const values = shapValuesOf(forest, rows);
  const mean = new Float64Array(d);
  for (let i = 0; i < rows.rows; i++) {
    for (let j = 0; j < d; j++) mean[j] += Math.abs(values[i * d + j]);
  }
  for (let j = 0; j < d; j++) mean[j] /= rows.rows;
  return mean;
}
