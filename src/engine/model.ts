import type { FlatForest } from './forest';
import type { IsolationForestOptions } from './options';

/** A fitted Isolation Forest: the trees, the decision offset and the options that made it. Frozen. */
export interface IsolationForestModel {
  readonly forest: FlatForest;
  /** scikit-learn's `offset_`: `decision_function = score_samples - offset`. */
  readonly offset: number;
  /** The options the model was fitted with (defaults filled in). */
  readonly options: IsolationForestOptions;
  /** Rows the model was fitted on. */
  readonly nSamples: number;
  /**
   * Warnings raised while fitting, in scikit-learn's wording (e.g. a `maxSamples` count above
   * the number of rows, clipped). Set by `fitIsolationForest` (empty when none); absent on
   * models that were not fitted here.
   */
  readonly warnings?: readonly string[];
}
