/**
 * IsolationForest training options, with scikit-learn 1.2.1's parameters and defaults.
 *
 * scikit-learn tells counts from fractions by Python type (`max_samples=1` is one row,
 * `max_samples=1.0` is all rows). JavaScript numbers cannot, so both are tagged explicitly.
 */

/** A number of rows or columns (`int` in scikit-learn). */
export interface CountSpec {
  readonly count: number;
}
/** A fraction of the rows or columns in (0, 1] (`float` in scikit-learn). */
export interface FractionSpec {
  readonly fraction: number;
}

export interface IsolationForestOptions {
  /** Number of trees. @default 100 */
  readonly nEstimators: number;
  /** Rows drawn per tree: 'auto' = min(256, n), a count (clipped to n) or a fraction of n. @default 'auto' */
  readonly maxSamples: 'auto' | CountSpec | FractionSpec;
  /** Columns drawn per tree: a count or a fraction of the columns. @default { fraction: 1.0 } */
  readonly maxFeatures: CountSpec | FractionSpec;
  /**
   * Expected share of anomalies: 'auto' sets offset = -0.5; a number in (0, 0.5] sets the offset
   * to that percentile of the training scores (numpy's 'linear' method). @default 'auto'
   */
  readonly contamination: 'auto' | number;
  /** Draw rows with replacement. @default false */
  readonly bootstrap: boolean;
  /** Seed of numpy's legacy MT19937 `RandomState`, an integer in [0, 2^32 - 1]. @default 0 */
  readonly randomState: number;
  /**
   * Emulates `random_state=np.random.RandomState(randomState)` (an instance) instead of the int:
   * scikit-learn then draws the bagging seeds from the same generator after `fit`'s
   * `uniform(size=n_samples)`, so the trees differ from the int seed's. A training-time choice
   * only (not stored in artifacts). @default false
   */
  readonly randomStateInstance?: boolean;
}

/** scikit-learn 1.2.1's defaults (with an explicit seed, since the engine never draws entropy). */
export const DEFAULT_OPTIONS: IsolationForestOptions = Object.freeze({
  nEstimators: 100,
  maxSamples: 'auto',
  maxFeatures: Object.freeze({ fraction: 1.0 }),
  contamination: 'auto',
  bootstrap: false,
  randomState: 0,
});
