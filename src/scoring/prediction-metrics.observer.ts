import type { MetricsService } from '../metrics/metrics.service';
import type { ScoreObserver } from './score-observer';
import type { ScoredRows } from './scored-rows';

/**
 * The Prometheus prediction metrics as a {@link ScoreObserver}: outcome counts and the anomaly
 * score histogram for every scored row, and the batch size of `POST /predict/batch` calls.
 */
export class PredictionMetricsObserver implements ScoreObserver {
  constructor(private readonly metrics: MetricsService) {}

  /** Records the call's rows. */
  observe(scored: ScoredRows): void {
    const offset = scored.model.artifact.offset;
    if (scored.scores.length === 1 && scored.source !== 'predict-batch') {
      const score = scored.scores[0];
      this.metrics.observePrediction(score - offset < 0, -score);
    } else {
      this.metrics.observeRows(scored.scores, offset, scored.source === 'predict-batch');
    }
  }
}
