export {
  PERCENTILE_STEPS,
  type BinnedDistribution,
  type TrainingReference,
} from './training-reference';
export { quantileBins } from './quantile-bins';
export { binIndex } from './bin-index';
export { percentileScores } from './percentile-scores';
export { anomalyPercentile } from './anomaly-percentile';
export { PSI_EPSILON, populationStabilityIndex } from './population-stability-index';
export {
  computeTrainingReference,
  DEFAULT_REFERENCE_OPTIONS,
  type ReferenceOptions,
} from './compute-training-reference';
export {
  DEFAULT_WINDOW_BLOCKS,
  DriftWindow,
  SCORE_HISTOGRAM_BINS,
  type WindowCounts,
} from './drift-window';
export {
  summarizeDrift,
  type DriftStatus,
  type DriftSummary,
  type DriftThresholds,
  type FeatureDrift,
} from './drift-summary';
