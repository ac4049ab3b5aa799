import { compileForest } from './compile-forest';
import type { FlatForest } from './forest';
import { buildScoreTables } from './score-tables';

/**
 * Does now, once, the per-forest work that scoring otherwise does on first use: compiles the
 * forest for the branch-free walk and builds its decision tables. Afterwards batches of every
 * size, not only those of at least `TABLE_MIN_ROWS` rows, are scored through the tables, and no
 * call pays for building them. Results are the same, bit for bit, with or without it.
 *
 * The forest must have passed `verifyForest` or come from `fitIsolationForest`. Costs about
 * 0.1 s and 20 to 30 KB per tree for a 2-D forest (see docs/algorithm.md).
 */
export function prepareForest(forest: FlatForest): void {
  buildScoreTables(compileForest(forest));
}
