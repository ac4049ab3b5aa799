/** Route label for requests that matched no route (keeps label cardinality bounded). */
export const UNMATCHED_ROUTE = 'unmatched';

/** Upper bounds (seconds) of the request duration histogram. */
export const DURATION_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Upper bounds of the anomaly-score histogram (the paper's score, in (0, 1]). */
export const ANOMALY_SCORE_BUCKETS: readonly number[] = [
  0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.9, 1,
];

/** Upper bounds of the batch-size histogram (rows per `POST /predict/batch`). */
export const BATCH_SIZE_BUCKETS: readonly number[] = [1, 10, 100, 1000, 10_000, 100_000];

/** Injection token of the {@link MetricsPoolPort} (provided only in pool workers). */
export const METRICS_POOL = 'METRICS:POOL';

/**
 * Most distinct `model` label values the prediction and model metrics take; the models past it
 * are counted under {@link OTHER_MODELS}, so a huge repository cannot blow up the series count.
 */
export const MAX_MODEL_LABELS = 200;

/** `model` label value of the models past {@link MAX_MODEL_LABELS}. */
export const OTHER_MODELS = '_other';
