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
}
