import type { WindowCounts } from './drift-window';
import { populationStabilityIndex } from './population-stability-index';
import type { TrainingReference } from './training-reference';

/** Monitoring verdict: enough rows and nothing above the threshold, something above it, or too few rows. */
export type DriftStatus = 'ok' | 'drift' | 'insufficient_data';

/** Thresholds of {@link summarizeDrift}. */
export interface DriftThresholds {
  /** Rows the window needs before a verdict (`MONITOR_MIN_ROWS`). */
  readonly minRows: number;
  /** PSI above which a feature (or the score) counts as drifting (`DRIFT_PSI_THRESHOLD`). */
  readonly psiThreshold: number;
}

/** One feature's drift. */
export interface FeatureDrift {
  readonly name: string;
  /** PSI of the window's values present against the training bins; null when none is. */
  readonly psi: number | null;
  /** `psi > psiThreshold`. */
  readonly drifting: boolean;
  /** Mean of the window's values present; null when none is. */
  readonly liveMean: number | null;
  readonly referenceMean: number;
  /** Share of the window's rows with this feature missing (NaN); null when the window is empty. */
  readonly missingShare: number | null;
}

/** The live window against the training reference. */
export interface DriftSummary {
  readonly status: DriftStatus;
  readonly rows: number;
  readonly sinceMs: number | null;
  readonly anomalyRateObserved: number | null;
  readonly anomalyRateExpected: number;
  readonly scorePsi: number | null;
  readonly scoreDrifting: boolean;
  readonly features: readonly FeatureDrift[];
}

/**
 * Compares the window with the reference: the PSI of every feature and of the anomaly score
 * over the reference's bins, live means, and the observed anomaly rate. The status is
 * `insufficient_data` below `minRows` rows (the PSI is still reported, but few rows make it
 * noisy), else `drift` when any feature's PSI or the score's PSI is above `psiThreshold`, else
 * `ok`.
 *
 * @param names feature names in column order
 */
export function summarizeDrift(
  reference: TrainingReference,
  counts: WindowCounts,
  names: readonly string[],
  thresholds: DriftThresholds,
): DriftSummary {
  const rows = counts.rows;
  const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);
  const features = reference.features.map((f, j): FeatureDrift => {
    const present = counts.featurePresent[j];
    const psi = orNull(populationStabilityIndex(counts.featureCounts[j], f.proportions));
    return {
      name: names[j],
      psi,
      drifting: psi !== null && psi > thresholds.psiThreshold,
      liveMean: present === 0 ? null : counts.featureSums[j] / present,
      referenceMean: f.mean,
      missingShare: rows === 0 ? null : (rows - present) / rows,
    };
  });
  const scorePsi = orNull(
    populationStabilityIndex(counts.scoreCounts, reference.score.proportions),
  );
  const scoreDrifting = scorePsi !== null && scorePsi > thresholds.psiThreshold;
  const status: DriftStatus =
    rows < thresholds.minRows || rows === 0
      ? 'insufficient_data'
      : scoreDrifting || features.some((f) => f.drifting)
        ? 'drift'
        : 'ok';
  return {
    status,
    rows,
    sinceMs: counts.sinceMs,
    anomalyRateObserved: rows === 0 ? null : counts.anomalies / rows,
    anomalyRateExpected: reference.anomalyRate,
    scorePsi,
    scoreDrifting,
    features,
  };
}
