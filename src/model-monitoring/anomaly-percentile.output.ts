import type { DenseMatrix } from '../engine';
import type { ServingModel } from '../model/serving-model';
import { anomalyPercentile } from '../monitoring/anomaly-percentile';
import type { ExtraOutput } from '../scoring/extra-output';

/** Name of the percentile output: a field of every prediction, an OIP output tensor. */
export const ANOMALY_PERCENTILE = 'anomaly_percentile';

/**
 * `anomaly_percentile`, an extra output of every scoring call: the share of training rows, in
 * percent (0 to 100, resolution 0.1), whose anomaly score is at most the row's. NaN (JSON
 * `null`) for a model without a training reference.
 */
export class AnomalyPercentileOutput implements ExtraOutput {
  readonly name = ANOMALY_PERCENTILE;
  readonly always = true;

  /** One value per row. */
  width(): number {
    return 1;
  }

  /** Looks each row's anomaly score (`-score_samples`) up in the reference's percentile table. */
  compute(model: ServingModel, _x: DenseMatrix, scores: Float64Array, out: Float64Array): void {
    const reference = model.artifact.reference;
    if (!reference) {
      out.fill(NaN);
      return;
    }
    const table = reference.percentileScores;
    for (let i = 0; i < scores.length; i++) out[i] = anomalyPercentile(table, -scores[i]);
  }
}
