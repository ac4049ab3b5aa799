import type { FlatForest } from '../engine/forest';
import type { DriftSummary, WindowCounts } from '../monitoring';
import type { TrainingReference } from '../monitoring/training-reference';

/** Everything the model report shows. Built by the service (live window) or the report CLI (`--data`). */
export interface ReportInput {
  /** Metadata rows shown as a table, in order (label, value). */
  readonly metadata: readonly (readonly [string, string])[];
  readonly modelVersion: string;
  /** Feature names in column order (`x0`, `x1`, ... for a model without names). */
  readonly featureNames: readonly string[];
  readonly forest: FlatForest;
  /** scikit-learn's `offset_`; the anomaly score threshold is `-offset`. */
  readonly offset: number;
  /** The training reference, or null (then `referenceMissing` says why). */
  readonly reference: TrainingReference | null;
  /** Why there is no reference (shown on the page). */
  readonly referenceMissing: string | null;
  /** Per-feature training min and max, for the map's extent when there is no reference. */
  readonly featureRange: { readonly min: Float64Array; readonly max: Float64Array } | null;
  /** The live window's counts and their comparison with the reference; null without a reference. */
  readonly live: { readonly counts: WindowCounts; readonly drift: DriftSummary } | null;
  /** What the live rows are ("the last 10,000 rows this process scored", "rows of live.csv"). */
  readonly liveLabel: string;
  /** PSI threshold (`DRIFT_PSI_THRESHOLD`) and minimum rows (`MONITOR_MIN_ROWS`). */
  readonly psiThreshold: number;
  readonly minRows: number;
  /**
   * Mean |SHAP value| per feature when explanations exist (issue 12), else null; the decision
   * map of a model with more than two features then plots the two largest.
   */
  readonly featureImportance: Float64Array | null;
  /** When the page was made (ISO-8601). */
  readonly generatedAt: string;
}
